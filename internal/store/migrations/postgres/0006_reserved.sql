-- A stand-in that keeps this branch's migrations numbered without a gap:
-- version 6 belongs to the sign-in core's migration (0006_session_assurance).
-- Delete this file when the branches are merged.
SELECT 1;
