package auth

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// passkeyChallengeTTL bounds a WebAuthn ceremony: the registration that
// follows the password, or the answer at the second step.
const passkeyChallengeTTL = 5 * time.Minute

// MethodPasskey names the passkey as a second factor in the audit log.
const MethodPasskey = "passkey"

var (
	// ErrPasskeysOff answers a passkey request on a server whose base URL
	// has no host name to bind passkeys to.
	ErrPasskeysOff = padlock.Errorf(padlock.ECONFLICT, "Passkeys are not available on this server: its public URL has no host name.")
	// errNoPasskeyAnswer is an empty answer (no JavaScript, or the browser's
	// prompt was cancelled): not a guess, it costs nothing.
	errNoPasskeyAnswer = padlock.FieldError("passkey", "Your browser did not answer with a passkey. Try again, or use your authenticator app or a recovery code.")
	// ErrPasskeyRefused answers a passkey that did not prove the sign-in.
	ErrPasskeyRefused = padlock.FieldError("passkey", "That passkey or security key was not accepted. Try again with one you added to Padlock, or use your authenticator app or a recovery code.")
	errAddExpired     = padlock.FieldError("add_password", "Adding a passkey timed out. Confirm your password and try again.")
	errAddRefused     = padlock.FieldError("add_password", "Your browser's answer could not be verified. Confirm your password and try again.")
	// errLastPasskeyRequired refuses to remove a user's last passkey while
	// their account or portal requires phishing-resistant MFA.
	errLastPasskeyRequired = padlock.Errorf(padlock.EFORBIDDEN, "Your account requires a passkey or security key, so your last one cannot be removed. Add another one first.")
)

// newRelyingParty makes the WebAuthn relying party of the configured ID
// and origin, or nil when there is none.
func newRelyingParty(cfg Config) (*webauthn.WebAuthn, error) {
	if cfg.RPID == "" {
		return nil, nil
	}
	return webauthn.New(&webauthn.Config{
		RPID:                  cfg.RPID,
		RPDisplayName:         "Padlock",
		RPOrigins:             []string{cfg.RPOrigin},
		AttestationPreference: protocol.PreferNoAttestation,
	})
}

// PasskeysAvailable tells whether this server can register and check
// passkeys.
func (s *Service) PasskeysAvailable() bool { return s.rp != nil }

// webauthnUser is a user as the WebAuthn library sees them, with their
// credentials.
type webauthnUser struct {
	u     *padlock.User
	creds []*padlock.Passkey
}

// WebAuthnID is the user handle: the user's id as 8 bytes, which reveals
// nothing about the person.
func (w webauthnUser) WebAuthnID() []byte { return userHandle(w.u.ID) }

func (w webauthnUser) WebAuthnName() string        { return w.u.Email }
func (w webauthnUser) WebAuthnDisplayName() string { return w.u.DisplayName() }

func (w webauthnUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(w.creds))
	for i, p := range w.creds {
		out[i] = credentialOf(p)
	}
	return out
}

func userHandle(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

func credentialOf(p *padlock.Passkey) webauthn.Credential {
	ts := make([]protocol.AuthenticatorTransport, len(p.Transports))
	for i, t := range p.Transports {
		ts[i] = protocol.AuthenticatorTransport(t)
	}
	return webauthn.Credential{ID: p.CredentialID, PublicKey: p.PublicKey, AttestationType: "none", Transport: ts,
		Flags:         webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(p.Flags)),
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount, CloneWarning: p.CloneWarning}}
}

// ceremony is what is kept server-side between a challenge and its answer:
// the library's session data, and the options the browser is given.
type ceremony struct {
	Session webauthn.SessionData `json:"session"`
	Options json.RawMessage      `json:"options"`
}

func saveCeremony(ctx context.Context, tx *store.Queries, c *Current, purpose string, options any, sd *webauthn.SessionData, now time.Time) (string, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return "", err
	}
	sd.Expires = time.Time{} // expiry is the stored row's, on the node's clock
	data, err := json.Marshal(ceremony{Session: *sd, Options: opts})
	if err != nil {
		return "", err
	}
	return string(opts), tx.SaveWebAuthnChallenge(ctx, c.Session.ID, c.User.ID, purpose, data, now.Add(passkeyChallengeTTL))
}

func readCeremony(data []byte) (*ceremony, error) {
	var cer ceremony
	if err := json.Unmarshal(data, &cer); err != nil {
		return nil, err
	}
	return &cer, nil
}

// BeginPasskeyRegistration starts adding a passkey, after the user confirms
// their password: a registration challenge for this session alone, valid
// for a few minutes, excluding the credentials the user already has.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, c *Current, password, address string) error {
	if s.rp == nil {
		return ErrPasskeysOff
	}
	if err := s.confirmPassword(ctx, c, password, "add_password", wrongPassword, address); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		creds, err := tx.Passkeys(ctx, c.User.ID)
		if err != nil {
			return err
		}
		wu := webauthnUser{u: c.User, creds: creds}
		creation, sd, err := s.rp.BeginRegistration(wu,
			webauthn.WithExclusions(webauthn.Credentials(wu.WebAuthnCredentials()).CredentialDescriptors()),
			webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementPreferred),
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
				ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationPreferred}))
		if err != nil {
			return err
		}
		_, err = saveCeremony(ctx, tx, c, store.ChallengeRegister, creation, sd, q.Now)
		return err
	})
}

// PasskeyRegistrationOptions returns the options of this session's
// registration in progress, for the page that asks the browser to create
// the passkey; padlock.ErrNotFound when there is none (or it expired).
func (s *Service) PasskeyRegistrationOptions(ctx context.Context, c *Current) (string, error) {
	data, err := s.DB.Conn().WebAuthnChallenge(ctx, c.Session.ID, store.ChallengeRegister, s.now())
	if err != nil {
		return "", err
	}
	cer, err := readCeremony(data)
	if err != nil {
		return "", err
	}
	return string(cer.Options), nil
}

// FinishPasskeyRegistration checks the browser's answer to this session's
// registration challenge (used up by this call, right or wrong) and stores
// the new credential under the name given, in one transaction with its
// audit event and the mail to the user. A user's first factor is set up as
// an enrollment is: other sessions that proved nothing end, new recovery
// codes are made for this session to show, and a session that had proved
// nothing itself is replaced (the result, nil otherwise).
func (s *Service) FinishPasskeyRegistration(ctx context.Context, c *Current, name, response, address string) (upgraded *SignedIn, first bool, err error) {
	if s.rp == nil {
		return nil, false, ErrPasskeysOff
	}
	if name, err = padlock.NormalizePasskeyName(name); err != nil {
		return nil, false, err
	}
	if strings.TrimSpace(response) == "" { // no JavaScript, or the prompt was cancelled: the challenge stays
		return nil, false, padlock.FieldError("credential", "Your browser did not create a passkey. Passkeys need JavaScript; try again, or use another browser.")
	}
	var outcome error
	err = s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		creds, err := tx.LockUser(ctx, c.User.ID)
		if err != nil {
			return err
		}
		u := creds.User
		sess, err := tx.LockSession(ctx, c.Session.ID)
		if err != nil {
			return err
		}
		data, err := tx.TakeWebAuthnChallenge(ctx, sess.ID, u.ID, store.ChallengeRegister, q.Now)
		if errors.Is(err, padlock.ErrNotFound) {
			outcome = errAddExpired
			return nil
		} else if err != nil {
			return err
		}
		p, err := s.verifyRegistration(ctx, tx, u, data, response)
		if err != nil {
			s.Logger.Info("passkey registration refused", "user", u.ID, "err", err)
			outcome = errAddRefused
			return nil // the challenge stays used up
		}
		p.Name, p.CreatedAt = name, q.Now
		if err := tx.AddPasskey(ctx, p); err != nil {
			return err
		}
		first = !u.HasMFA()
		if first {
			if upgraded, err = s.firstFactor(ctx, tx, q, u, sess, address); err != nil {
				return err
			}
		} else if !phishingResistant(sess.Proved) {
			// A session that proved only an app now holds a passkey it
			// registered: what a strict requirement waits for.
			fresh, err := tx.UserByID(ctx, u.ID)
			if err != nil {
				return err
			}
			in := sessionStart{user: fresh, first: sess.FirstStep, proved: padlock.ProofEnrolledPasskey, address: address, replaces: sess}
			if upgraded, err = s.replaceSession(ctx, tx, in, q.Now); err != nil {
				return err
			}
		}
		if err := q.Add(mail.PasskeyAdded(u.Email, name, q.Now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventPasskeyAdded, u.ID, name, q.Now))
	})
	if err == nil {
		err = outcome
	}
	if err != nil {
		return nil, false, err
	}
	return upgraded, first, nil
}

// phishingResistant tells whether a session's proof was bound to the site's
// origin by the browser (identity-provider MFA is judged by its context).
func phishingResistant(p padlock.Proof) bool {
	return p == padlock.ProofWebAuthn || p == padlock.ProofEnrolledPasskey
}

func (s *Service) verifyRegistration(ctx context.Context, tx *store.Queries, u *padlock.User, data []byte, response string) (*padlock.Passkey, error) {
	cer, err := readCeremony(data)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(response))
	if err != nil {
		return nil, err
	}
	creds, err := tx.Passkeys(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	cred, err := s.rp.CreateCredential(webauthnUser{u: u, creds: creds}, cer.Session, parsed)
	if err != nil {
		return nil, err
	}
	p := &padlock.Passkey{UserID: u.ID, CredentialID: cred.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, Flags: uint8(cred.Flags.ProtocolValue())}
	for _, t := range cred.Transport {
		p.Transports = append(p.Transports, string(t))
	}
	if p.AAGUID == nil {
		p.AAGUID = []byte{}
	}
	return p, nil
}

// firstFactor does for a passkey that is the user's first factor what
// confirming an enrollment does: every other session that proved nothing
// ends, the credential version advances, the session is replaced by one
// that proved its factor if it had proved none itself, and new recovery
// codes are made for the resulting session to show.
func (s *Service) firstFactor(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, sess *padlock.Session, address string) (*SignedIn, error) {
	if _, err := tx.DeleteUnprovenSessions(ctx, u.ID, sess.ID); err != nil {
		return nil, err
	}
	if err := tx.ResetCredentials(ctx, u.ID); err != nil {
		return nil, err
	}
	if err := tx.SyncAllSessionCredentials(ctx, u.ID); err != nil {
		return nil, err
	}
	fresh, err := tx.UserByID(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var upgraded *SignedIn
	revealTo := sess.ID
	if !provedItself(sess) {
		if _, err := tx.DeleteSession(ctx, sess.ID); err != nil {
			return nil, err
		}
		upgraded, err = s.beginSession(ctx, tx, sessionStart{user: fresh, first: sess.FirstStep, proved: padlock.ProofEnrolledPasskey, address: address, replaces: sess}, q.Now)
		if err != nil {
			return nil, err
		}
		revealTo = upgraded.Session.ID
	}
	if err := s.newRecoveryCodes(ctx, tx, q, u.ID, revealTo); err != nil {
		return nil, err
	}
	return upgraded, tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventMFAEnabled, u.ID, MethodPasskey, q.Now))
}

// Passkeys lists the user's passkeys for My Settings > MFA.
func (s *Service) Passkeys(ctx context.Context, userID int64) ([]*padlock.Passkey, error) {
	return s.DB.Conn().Passkeys(ctx, userID)
}

// RenamePasskey changes the name of one of the user's own passkeys.
func (s *Service) RenamePasskey(ctx context.Context, c *Current, id int64, name, address string) error {
	name, err := padlock.NormalizePasskeyName(name)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		old, err := tx.Passkey(ctx, c.User.ID, id)
		if err != nil {
			return err
		}
		if err := tx.RenamePasskey(ctx, c.User.ID, id, name); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventPasskeyRenamed, c.User.ID,
			fmt.Sprintf("%s → %s", old.Name, name), q.Now))
	})
}

// RemovePasskey removes one of the user's own passkeys after checking
// their password. Removing the last factor follows the rules of turning
// MFA off: refused while MFA is required of the user, and it needs a
// current code or recovery code too; the recovery codes and the sign-ins
// waiting for a second step go with it.
func (s *Service) RemovePasskey(ctx context.Context, c *Current, id int64, password, code, address string) error {
	if _, err := s.DB.Conn().Passkey(ctx, c.User.ID, id); err != nil {
		return err // another user's passkey is not found, whatever the password
	}
	if err := s.confirmPassword(ctx, c, password, "password", wrongPassword, address); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		creds, err := tx.LockUser(ctx, c.User.ID)
		if err != nil {
			return err
		}
		u := creds.User
		p, err := tx.Passkey(ctx, u.ID, id)
		if err != nil {
			return err
		}
		n, err := tx.CountPasskeys(ctx, u.ID)
		if err != nil {
			return err
		}
		last := n == 1 && !u.HasTOTP()
		if n == 1 && !last {
			// The last passkey beside an app: while only phishing-resistant
			// MFA meets the requirement, it is the factor that meets it.
			r, err := requirementOf(ctx, tx, u)
			if err != nil {
				return err
			}
			if r.Strict() {
				return errLastPasskeyRequired
			}
		}
		if last {
			if err := s.mayRemoveLastFactor(ctx, tx, q, u, code, address); err != nil {
				return err
			}
		}
		if err := tx.DeletePasskey(ctx, u.ID, id); err != nil {
			return err
		}
		if last {
			if err := s.removeLastFactor(ctx, tx, q, u, c.Session.ID, address); err != nil {
				return err
			}
		}
		if err := q.Add(mail.PasskeyRemoved(u.Email, p.Name, q.Now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventPasskeyRemoved, u.ID, p.Name, q.Now))
	})
}

// mayRemoveLastFactor refuses while MFA is required of the user, and
// checks a current code or recovery code (used up by the check).
func (s *Service) mayRemoveLastFactor(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, code, address string) error {
	required, err := requiredFor(ctx, tx, u)
	if err != nil {
		return err
	}
	if required {
		return padlock.Errorf(padlock.EFORBIDDEN, "Your account requires MFA, so your last factor cannot be removed. Add another one first.")
	}
	proof, err := s.checkSecondFactor(ctx, tx, u.ID, code, q.Now)
	if err != nil {
		return onField(err, "code")
	}
	if proof == padlock.ProofRecovery {
		return s.recoveryCodeUsed(ctx, tx, q, u, address)
	}
	return nil
}

// removeLastFactor ends what goes with the last factor: the recovery
// codes, and the user's other sessions that proved nothing.
func (s *Service) removeLastFactor(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, keep int64, address string) error {
	if _, err := tx.DeleteUnprovenSessions(ctx, u.ID, keep); err != nil {
		return err
	}
	if err := tx.DeleteFactors(ctx, u.ID); err != nil {
		return err
	}
	if err := q.Add(mail.MFADisabled(u.Email, q.Now)); err != nil {
		return err
	}
	return tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventMFADisabled, u.ID, "last passkey removed by the user", q.Now))
}

// BeginPasskeyChallenge makes the challenge a pending sign-in answers with
// one of the user's passkeys, kept for this session alone, and returns the
// options for the browser; "" for a user without passkeys or a server
// without them.
func (s *Service) BeginPasskeyChallenge(ctx context.Context, c *Current) (string, error) {
	if s.rp == nil || !c.User.HasPasskey() || c.Step != padlock.StepChallenge {
		return "", nil
	}
	var options string
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		// Showing the page again (a reload, a second tab, a wrong code)
		// keeps the challenge the browser may be answering already.
		if data, err := tx.WebAuthnChallenge(ctx, c.Session.ID, store.ChallengeLogin, q.Now); err == nil {
			cer, err := readCeremony(data)
			if err != nil {
				return err
			}
			options = string(cer.Options)
			return nil
		} else if !errors.Is(err, padlock.ErrNotFound) {
			return err
		}
		creds, err := tx.Passkeys(ctx, c.User.ID)
		if err != nil || len(creds) == 0 {
			return err
		}
		assertion, sd, err := s.rp.BeginLogin(webauthnUser{u: c.User, creds: creds}, webauthn.WithUserVerification(protocol.VerificationPreferred))
		if err != nil {
			return err
		}
		options, err = saveCeremony(ctx, tx, c, store.ChallengeLogin, assertion, sd, q.Now)
		return err
	})
	return options, err
}

// CompletePasskey is the second step with a passkey, in the one
// transaction of CompleteMFA: the user's row and then the session's are
// locked, the session's challenge is used up (an answer is accepted once),
// the answer is verified against the user's own credentials, and then either
// the failure is counted like a wrong code or the passkey's counter is
// stored and the session replaced by one that proved the passkey.
//
// A counter that did not move forward (when the authenticator keeps one)
// means two copies of the key may exist: the credential is flagged, the
// event recorded, and the answer refused, now and from then on; the user
// signs in with another factor and removes it.
func (s *Service) CompletePasskey(ctx context.Context, c *Current, response, address string) (*SignedIn, error) {
	if c.Step != padlock.StepChallenge {
		return nil, ErrChallengeOver
	}
	if strings.TrimSpace(response) == "" {
		return nil, errNoPasskeyAnswer
	}
	if s.rp == nil {
		return nil, ErrPasskeysOff
	}
	var (
		out     *SignedIn
		outcome error
	)
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		creds, sess, err := s.lockChallenge(ctx, tx, c, q.Now)
		if err != nil || sess == nil {
			outcome = ErrChallengeOver
			return err
		}
		u := creds.User
		p, why, err := s.checkPasskey(ctx, tx, q, u, sess, response, address)
		if err != nil {
			return err
		}
		if p == nil && why == noChallenge {
			// Nothing was checked, so nothing was guessed: an answer to a
			// challenge already used or expired is refused, not counted.
			outcome = ErrPasskeyRefused
			return nil
		}
		if p == nil {
			over, err := s.countWrongAnswer(ctx, tx, q, u, sess, address, "passkey refused: "+why)
			outcome = ErrPasskeyRefused
			if over {
				outcome = ErrChallengeOver
			}
			return err
		}
		// As after a code: the new session takes over a form the pending
		// one held.
		if out, err = s.replaceSession(ctx, tx, sessionStart{user: u, first: sess.FirstStep, proved: padlock.ProofWebAuthn, address: address, replaces: sess}, q.Now); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventPasskeyUsed, u.ID, p.Name, q.Now))
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		return nil, outcome
	}
	return out, nil
}

// noChallenge is why an answer is refused when the session has no
// unexpired challenge to answer.
const noChallenge = "no challenge (used or expired)"

// checkPasskey uses up the session's challenge and verifies the answer. It
// returns the passkey that answered, or nil and why not.
func (s *Service) checkPasskey(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, sess *padlock.Session, response, address string) (*padlock.Passkey, string, error) {
	data, err := tx.TakeWebAuthnChallenge(ctx, sess.ID, u.ID, store.ChallengeLogin, q.Now)
	if errors.Is(err, padlock.ErrNotFound) {
		return nil, noChallenge, nil
	} else if err != nil {
		return nil, "", err
	}
	cer, err := readCeremony(data)
	if err != nil {
		return nil, "", err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(response))
	if err != nil {
		return nil, "unreadable answer", nil
	}
	creds, err := tx.Passkeys(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	cred, err := s.rp.ValidateLogin(webauthnUser{u: u, creds: creds}, cer.Session, parsed)
	if err != nil {
		s.Logger.Info("passkey assertion refused", "user", u.ID, "err", err)
		return nil, "not verified", nil
	}
	var p *padlock.Passkey
	for _, c := range creds {
		if bytes.Equal(c.CredentialID, cred.ID) {
			p = c
		}
	}
	if p == nil {
		return nil, "unknown credential", nil
	}
	if why, err := s.useCounter(ctx, tx, q, u, p, cred, parsed.Response.AuthenticatorData.Counter, address); err != nil || why != "" {
		return nil, why, err
	}
	return p, "", nil
}

// useCounter applies the signature counter of a verified answer by p, on
// every way a passkey is used: a passkey already flagged is refused; a
// counter that did not move forward (when the authenticator keeps one)
// means two copies of the key may exist, so p is flagged, the warning
// recorded in Activity with the passkey's kind and name, the user and their
// administrators emailed, and the answer refused, now and from then on;
// otherwise the new counter is stored, once. answered is the counter the
// answer gave (the library keeps the stored one when it warns). It returns
// why the answer is refused, or "".
func (s *Service) useCounter(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, p *padlock.Passkey, cred *webauthn.Credential, answered uint32, address string) (string, error) {
	switch {
	case p.CloneWarning:
		return "passkey flagged as possibly copied", nil
	case cred.Authenticator.CloneWarning:
		return "signature counter went backwards", s.flagCopiedPasskey(ctx, tx, q, u, p, answered, address)
	}
	ok, err := tx.UsePasskey(ctx, p.ID, p.SignCount, cred.Authenticator.SignCount, q.Now)
	if err != nil || !ok {
		return "counter changed meanwhile", err
	}
	return "", nil
}

// flagCopiedPasskey marks p as possibly copied, records it and tells the
// user and whoever administers them (the account's Administrators and, for a
// portal user, the portal's administrators), in the caller's transaction.
func (s *Service) flagCopiedPasskey(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, p *padlock.Passkey, count uint32, address string) error {
	if err := tx.FlagPasskeyClone(ctx, p.ID); err != nil {
		return err
	}
	detail := fmt.Sprintf("%s %q: counter %d after %d", p.Kind(), p.Name, count, p.SignCount)
	if err := tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventPasskeyCloneWarning, u.ID, detail, q.Now)); err != nil {
		return err
	}
	if err := q.Add(mail.PasskeyCopied(u.Email, p.Kind(), p.Name, q.Now)); err != nil {
		return err
	}
	admins, err := tx.AdministratorEmails(ctx, u.AccountID, u.PortalID, u.ID)
	if err != nil {
		return err
	}
	for _, to := range admins {
		if err := q.Add(mail.PasskeyCopiedAdmin(to, u.Email, p.Kind(), p.Name, q.Now)); err != nil {
			return err
		}
	}
	return nil
}
