package auth

import (
	"context"
	"errors"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// SignedIn is the outcome of a sign-in step: the session, the token for its
// cookie, and what the session may do next.
type SignedIn struct {
	Token   string
	Session *padlock.Session
	User    *padlock.User
	Step    padlock.Step
}

// sessionStart is what a sign-in step proved, handed to beginSession.
type sessionStart struct {
	user    *padlock.User
	first   padlock.FirstStep
	proved  padlock.Proof
	address string
	// idpStrong tells that the identity provider's MFA (ProofIDP) was of a
	// context the account lists as phishing-resistant.
	idpStrong bool
	// replaces is the session this one takes over from, if any: one that
	// was already full completed its sign-in before.
	replaces *padlock.Session
}

// beginSession is the only place a session starts. It asks NextStep, with
// what this sign-in proved, what the user may do now, and starts a session
// for exactly that: a pending one (ten minutes) that reaches only the
// challenge or enrollment, or a full one that completes the sign-in.
// The caller holds the user's row (LockUser).
func (s *Service) beginSession(ctx context.Context, tx *store.Queries, in sessionStart, now time.Time) (*SignedIn, error) {
	a, err := assuranceOf(ctx, tx, in.user, in.proved, now)
	if err != nil {
		return nil, err
	}
	// A sign-in bringing the identity provider's MFA was checked against the
	// account's accepted contexts just before.
	a.IDPMFAAccepted, a.IDPPhishingResistant = in.proved == padlock.ProofIDP, in.proved == padlock.ProofIDP && in.idpStrong
	step := padlock.NextStep(a)
	acct, err := tx.Account(ctx, in.user.AccountID)
	if err != nil {
		return nil, err
	}
	sess := &padlock.Session{UserID: in.user.ID, AccountID: in.user.AccountID, State: padlock.SessionFull, FirstStep: in.first,
		Proved: in.proved, CredentialVersion: in.user.CredentialVersion, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(acct.SessionLifetime)}
	switch step {
	case padlock.StepChallenge:
		sess.State, sess.ExpiresAt = padlock.SessionMFAPending, now.Add(padlock.PendingLifetime)
	case padlock.StepEnroll:
		sess.State, sess.ExpiresAt = padlock.SessionEnrollPending, now.Add(padlock.PendingLifetime)
	}
	token, hash := NewToken()
	if err := tx.CreateSession(ctx, sess, hash, in.address); err != nil {
		return nil, err
	}
	if sess.State == padlock.SessionFull && (in.replaces == nil || in.replaces.State != padlock.SessionFull) {
		if err := s.recordSignIn(ctx, tx, in, now); err != nil {
			return nil, err
		}
	}
	return &SignedIn{Token: token, Session: sess, User: in.user, Step: step}, nil
}

// replaceSession ends in.replaces and starts the session that takes over
// from it, through beginSession; a form the old session held goes over to
// the new one. The caller holds the user's row and the old session's.
func (s *Service) replaceSession(ctx context.Context, tx *store.Queries, in sessionStart, now time.Time) (*SignedIn, error) {
	held, err := tx.HeldForm(ctx, in.replaces.ID, now)
	if err != nil && !errors.Is(err, padlock.ErrNotFound) {
		return nil, err
	}
	if _, err := tx.DeleteSession(ctx, in.replaces.ID); err != nil {
		return nil, err
	}
	out, err := s.beginSession(ctx, tx, in, now)
	if err != nil || held == nil {
		return out, err
	}
	return out, tx.HoldForm(ctx, out.Session.ID, held)
}

func (s *Service) recordSignIn(ctx context.Context, tx *store.Queries, in sessionStart, now time.Time) error {
	if err := tx.RecordSignIn(ctx, in.user.ID, now); err != nil {
		return err
	}
	e := Event(in.user.AccountID, Actor{User: in.user, Address: in.address}, padlock.EventSignIn, in.user.ID, methodText(in.first, in.proved), now)
	return tx.RecordEvent(ctx, e)
}

// methodText names how a sign-in was completed, for the audit log.
func methodText(first padlock.FirstStep, proved padlock.Proof) string {
	how := "password"
	switch first {
	case padlock.FirstSSO:
		how = "SSO"
	case padlock.FirstPasskey:
		return "passkey alone (user verified)"
	}
	switch proved {
	case padlock.ProofTOTP:
		return how + " and " + MethodTOTP
	case padlock.ProofRecovery:
		return how + " and " + MethodRecovery
	case padlock.ProofWebAuthn:
		return how + " and " + MethodPasskey
	case padlock.ProofEnrolled:
		return how + ", then MFA set up"
	case padlock.ProofEnrolledPasskey:
		return how + ", then a passkey added"
	case padlock.ProofIDP:
		return "SSO with MFA at the identity provider"
	}
	return how
}

// assuranceOf gathers the decision's inputs for a user from stored data:
// the requirement of their account or portal, their deadlines and the
// factors they own. The identity provider's fields are left to the caller.
func assuranceOf(ctx context.Context, tx *store.Queries, u *padlock.User, proved padlock.Proof, now time.Time) (padlock.Assurance, error) {
	r, err := requirementOf(ctx, tx, u)
	if err != nil {
		return padlock.Assurance{}, err
	}
	return r.AssuranceOf(u, proved, now), nil
}

// requirementOf is the requirement that applies to u: their portal's for a
// portal user, their account's for the staff.
func requirementOf(ctx context.Context, db *store.Queries, u *padlock.User) (padlock.Requirement, error) {
	if u.IsPortalUser() {
		p, err := db.PortalByID(ctx, u.PortalID)
		if err != nil {
			return padlock.Requirement{}, err
		}
		return p.Requirement(), nil
	}
	acct, err := db.Account(ctx, u.AccountID)
	if err != nil {
		return padlock.Requirement{}, err
	}
	return acct.Requirement(), nil
}

// requiredFor tells whether MFA is required of u.
func requiredFor(ctx context.Context, db *store.Queries, u *padlock.User) (bool, error) {
	r, err := requirementOf(ctx, db, u)
	return !r.RequiredAt.IsZero(), err
}

// stepOf is the decision for a request of an open session, from the user,
// account and portal read for this request. The database is read again
// only for a session whose proof is the identity provider's MFA, to check
// the account still accepts it.
func (s *Service) stepOf(ctx context.Context, c *Current, now time.Time) (padlock.Step, error) {
	a := c.Requirement().AssuranceOf(c.User, c.Session.Proved, now)
	if a.Proved == padlock.ProofIDP {
		ok, strong, err := s.idpMFAAccepted(ctx, c)
		if err != nil {
			return 0, err
		}
		a.IDPMFAAccepted, a.IDPPhishingResistant = ok, strong
	}
	return padlock.NextStep(a), nil
}

// idpMFAAccepted tells whether the user's tenant (their account, or their
// portal) still accepts the context the identity provider reported for this
// session, and whether it still lists it as phishing-resistant.
func (s *Service) idpMFAAccepted(ctx context.Context, c *Current) (accepted, strong bool, err error) {
	conn := s.DB.Conn()
	classRef, err := conn.SSOSessionContext(ctx, c.Session.ID)
	if errors.Is(err, padlock.ErrNotFound) {
		return false, false, nil
	} else if err != nil {
		return false, false, err
	}
	cfg, err := conn.SSOConfig(ctx, padlock.TenantOf(c.User))
	if errors.Is(err, padlock.ErrNotFound) {
		return false, false, nil
	} else if err != nil {
		return false, false, err
	}
	return cfg.AcceptsIDPMFA(classRef), cfg.IDPMFAPhishingResistant(classRef), nil
}
