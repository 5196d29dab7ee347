package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// AuthSettings is Account > Settings > Authentication.
type AuthSettings struct {
	RequireMFA bool
	// PhishingResistant is the strict level: only passkeys and security
	// keys (or identity-provider MFA listed as phishing-resistant) meet it.
	PhishingResistant bool
	GraceDays         int
	SessionIdle       time.Duration
	SessionLifetime   time.Duration
}

// Limits of the session settings an administrator may choose.
const (
	MinSessionIdle     = 5 * time.Minute
	MaxSessionLifetime = 30 * 24 * time.Hour
)

func (in AuthSettings) validate() error {
	fe := padlock.FieldErrors{}
	if in.GraceDays < 0 || in.GraceDays > padlock.MaxGraceDays {
		fe.Add("grace_days", fmt.Sprintf("Enter a number of days from 0 to %d.", padlock.MaxGraceDays))
	}
	if in.SessionIdle < MinSessionIdle || in.SessionIdle > MaxSessionLifetime {
		fe.Add("session_idle", "Enter an idle timeout from 5 minutes to 30 days.")
	}
	if in.SessionLifetime < in.SessionIdle || in.SessionLifetime > MaxSessionLifetime {
		fe.Add("session_lifetime", "Enter a lifetime at least as long as the idle timeout, and at most 30 days.")
	}
	return fe.Err()
}

// ErrSetUpYourOwnMFA refuses to require MFA of others by someone who has
// none: they would be the first one sent to enrollment.
var ErrSetUpYourOwnMFA = padlock.FieldError("require_mfa", "Set up MFA for yourself before you require it of everyone.")

// ErrKeyCannotRequireMFA refuses to turn the requirement on, or raise it to
// phishing-resistant MFA, for an API key: the rules below ask the one who
// does it to meet the requirement first, and a key has no MFA at all.
// Keeping it, or changing its grace, is open to a key.
var ErrKeyCannotRequireMFA = padlock.FieldError("require_mfa",
	"An API key cannot turn on or raise \"Require MFA\": it has no MFA of its own. An Administrator with MFA does it under Account > Settings.").WithCode(padlock.EKEYNOMFA)

// ErrAddYourOwnPasskey refuses to require phishing-resistant MFA of others
// by someone without a passkey: they would be held at enrollment too.
var ErrAddYourOwnPasskey = padlock.FieldError("mfa_level", "Add a passkey or security key for yourself before you require one of everyone.")

// mayRaise refuses to turn the requirement on, or raise it to phishing-
// resistant MFA, to anyone who does not meet it already.
func mayRaise(ctx context.Context, tx *store.Queries, actor auth.Actor, acct *padlock.Account, in AuthSettings) error {
	turningOn := in.RequireMFA && !acct.RequiresMFA()
	raising := in.RequireMFA && in.PhishingResistant && !acct.RequiresPhishingResistant()
	if !turningOn && !raising {
		return nil
	}
	if actor.Key != nil {
		return ErrKeyCannotRequireMFA
	}
	me, err := tx.UserByID(ctx, actor.User.ID)
	if err != nil {
		return err
	}
	if turningOn && !me.HasMFA() {
		return ErrSetUpYourOwnMFA
	}
	if raising && !me.HasPasskey() {
		return ErrAddYourOwnPasskey
	}
	return nil
}

// SaveAuthSettings stores the account's MFA requirement, grace period and
// session limits. Turning the requirement on stores every user's deadline
// and emails each user without MFA; changing the grace recomputes the
// deadlines; turning it off leaves everyone's MFA in place.
func (s *Service) SaveAuthSettings(ctx context.Context, actor auth.Actor, in AuthSettings) error {
	if !actor.User.Role.Can(padlock.PermManageSecurity) {
		return padlock.Errorf(padlock.EFORBIDDEN, "You may not change the account's settings.")
	}
	if err := in.validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
			return err
		}
		acct, err := tx.Account(ctx, actor.User.AccountID)
		if err != nil {
			return err
		}
		if err := mayChangeSettings(actor, acct, in); err != nil {
			return err
		}
		if err := mayRaise(ctx, tx, actor, acct, in); err != nil {
			return err
		}
		return s.applyAuthSettings(ctx, tx, q, actor, acct, in)
	})
}

// mayChangeSettings lets a Manager (and an API key) only tighten the
// settings: turn the requirement on, shorten the grace period and the
// session limits. Turning the requirement off or lengthening any of them is
// for Administrators (mayLoosen).
func mayChangeSettings(actor auth.Actor, acct *padlock.Account, in AuthSettings) error {
	if mayLoosen(actor) {
		return nil
	}
	fe := requirementLoosened(acct.Requirement(), in.RequireMFA, in.PhishingResistant, in.GraceDays)
	if in.SessionIdle > acct.SessionIdle {
		fe.Add("session_idle", fmt.Sprintf("Only an Administrator may lengthen the idle timeout (now %d minutes).", int(acct.SessionIdle/time.Minute)))
	}
	if in.SessionLifetime > acct.SessionLifetime {
		fe.Add("session_lifetime", fmt.Sprintf("Only an Administrator may lengthen the lifetime (now %d hours).", int(acct.SessionLifetime/time.Hour)))
	}
	return fe.Forbidden()
}

func (s *Service) applyAuthSettings(ctx context.Context, tx *store.Queries, q *auth.MailQueue, actor auth.Actor, acct *padlock.Account, in AuthSettings) error {
	record := func(kind, detail string) error {
		return tx.RecordEvent(ctx, auth.Event(acct.ID, actor, kind, 0, detail, q.Now))
	}
	was := *acct
	acct.MFAGraceDays, acct.SessionIdle, acct.SessionLifetime = in.GraceDays, in.SessionIdle, in.SessionLifetime
	acct.MFAStrictAt = padlock.NextStrictAt(was.MFAStrictAt, in.RequireMFA, in.PhishingResistant, q.Now)
	if acct.MFAStrictAt.IsZero() != was.MFAStrictAt.IsZero() && in.RequireMFA {
		if err := record(padlock.EventMFALevelChanged, levelText(acct.Requirement())); err != nil {
			return err
		}
	}
	switch {
	case in.RequireMFA && !was.RequiresMFA():
		acct.MFARequiredAt = q.Now
		if err := record(padlock.EventMFARequiredOn, graceText(in.GraceDays)); err != nil {
			return err
		}
	case !in.RequireMFA && was.RequiresMFA():
		acct.MFARequiredAt = time.Time{}
		if err := record(padlock.EventMFARequiredOff, "everyone's MFA stays in place"); err != nil {
			return err
		}
	case in.RequireMFA && was.MFAGraceDays != in.GraceDays:
		if err := record(padlock.EventMFAGraceChanged, graceText(was.MFAGraceDays)+" → "+graceText(in.GraceDays)); err != nil {
			return err
		}
	}
	if was.SessionIdle != in.SessionIdle || was.SessionLifetime != in.SessionLifetime {
		if err := record(padlock.EventSessionLimits, fmt.Sprintf("idle %s, lifetime %s", in.SessionIdle, in.SessionLifetime)); err != nil {
			return err
		}
	}
	if err := tx.SaveAuthenticationSettings(ctx, acct); err != nil {
		return err
	}
	// Deadlines move only when the grace itself is set or changed: a save
	// that changes neither gives no one a new grace period.
	turnedOn := in.RequireMFA && !was.RequiresMFA()
	if turnedOn || (in.RequireMFA && was.MFAGraceDays != in.GraceDays) {
		if err := tx.RecomputeMFADeadlines(ctx, acct.ID, acct.MFARequiredAt, acct.MFAGraceDays); err != nil {
			return err
		}
	}
	switch {
	case !acct.MFAStrictAt.IsZero() && was.MFAStrictAt.IsZero():
		// Raising the level tells everyone without a passkey, with their
		// deadline; it says all the notice of the requirement would.
		n, err := s.noticePasskeyRequirement(ctx, tx, q, acct.ID, 0, acct.Name, acct.Requirement())
		if err != nil {
			return err
		}
		return record(padlock.EventEnforcementNotice, "emailed "+padlock.Count(n, "user", "users")+" without a passkey")
	case turnedOn:
		return s.noticeUsersWithoutMFA(ctx, tx, q, actor, acct)
	}
	return nil
}

// noticeUsersWithoutMFA emails everyone the new requirement will stop.
func (s *Service) noticeUsersWithoutMFA(ctx context.Context, tx *store.Queries, q *auth.MailQueue, actor auth.Actor, acct *padlock.Account) error {
	n, err := s.noticeRequirement(ctx, tx, q, acct.ID, 0, acct.Name, acct.MFARequiredAt, acct.MFAGraceDays)
	if err != nil {
		return err
	}
	return tx.RecordEvent(ctx, auth.Event(acct.ID, actor, padlock.EventEnforcementNotice, 0, "emailed "+padlock.Count(n, "user", "users")+" without MFA", q.Now))
}

// noticePasskeyRequirement emails each active user without a passkey of the
// staff (portalID 0) or of a portal that its requirement, named by name, now
// accepts only phishing-resistant MFA, with their deadline: the strict
// level's grace for a user with an app, their own deadline for one without
// MFA. It returns how many it emailed.
func (s *Service) noticePasskeyRequirement(ctx context.Context, tx *store.Queries, q *auth.MailQueue, accountID, portalID int64, name string, r padlock.Requirement) (int, error) {
	users, err := tx.UsersWithoutPasskey(ctx, accountID, portalID)
	if err != nil {
		return 0, err
	}
	signIn, err := auth.SignInPath(ctx, tx, accountID, portalID)
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		deadline := u.MFADeadline
		if u.HasMFA() {
			deadline = padlock.MFADeadline(r.StrictAt, u.CreatedAt, r.GraceDays)
		}
		if !deadline.After(q.Now) {
			deadline = time.Time{}
		}
		if err := q.Add(mail.PasskeyRequiredNotice(u.Email, name, deadline, s.link(u, signIn))); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

// noticeRequirement emails each user without MFA of the account's staff
// (portalID 0) or of a portal that the requirement named by name, on since
// requiredAt, now applies to them, with their deadline when there is a
// grace period. It returns how many it emailed.
func (s *Service) noticeRequirement(ctx context.Context, tx *store.Queries, q *auth.MailQueue, accountID, portalID int64, name string, requiredAt time.Time, graceDays int) (int, error) {
	users, err := tx.UsersWithoutMFA(ctx, accountID, portalID)
	if err != nil {
		return 0, err
	}
	signIn, err := auth.SignInPath(ctx, tx, accountID, portalID)
	if err != nil {
		return 0, err
	}
	for _, u := range users {
		deadline := time.Time{}
		if graceDays > 0 {
			deadline = padlock.MFADeadline(requiredAt, u.CreatedAt, graceDays)
		}
		if err := q.Add(mail.MFARequiredNotice(u.Email, name, deadline, s.link(u, signIn))); err != nil {
			return 0, err
		}
	}
	return len(users), nil
}

// levelText names a requirement's level for the audit log.
func levelText(r padlock.Requirement) string {
	if r.Strict() {
		return "phishing-resistant MFA only (passkeys or security keys)"
	}
	return "any MFA"
}

func graceText(days int) string {
	if days == 0 {
		return "no grace period"
	}
	return fmt.Sprintf("%d-day grace period", days)
}

// days is a number of days as a sentence says it: "1 day", "7 days".
func days(n int) string { return padlock.Count(n, "day", "days") }
