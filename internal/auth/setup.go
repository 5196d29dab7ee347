package auth

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// SetupInput creates an account and its first Administrator.
type SetupInput struct {
	AccountName string
	Name        string
	Email       string
	Password    string
}

// Validate normalizes the input and checks every field, reporting all
// problems at once.
func (in *SetupInput) Validate() error {
	fe := padlock.FieldErrors{}
	var err error
	if in.AccountName, err = padlock.NormalizeName("account", in.AccountName); err != nil {
		fe.Add("account", padlock.ErrorMessage(err))
	}
	if in.Name, err = padlock.NormalizeName("name", in.Name); err != nil {
		fe.Add("name", padlock.ErrorMessage(err))
	}
	if in.Email, err = padlock.NormalizeEmail(in.Email); err != nil {
		fe.Add("email", padlock.ErrorMessage(err))
	}
	if err := CheckPassword("password", in.Password, in.Name, in.Email, in.AccountName); err != nil {
		fe.Add("password", padlock.ErrorMessage(err))
	}
	return fe.Err()
}

// IssueSetupToken returns a fresh one-time setup token while no account
// exists, or "" once setup is done. Earlier links stay valid until they
// expire: with several nodes starting at once, each prints a working link,
// and whichever is used first ends them all by creating the account.
func (s *Service) IssueSetupToken(ctx context.Context) (string, error) {
	var token string
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if n, err := tx.CountAccounts(ctx); err != nil || n > 0 {
			return err
		}
		var hash []byte
		token, hash = NewToken()
		return tx.CreateToken(ctx, store.TokenSetup, 0, hash, q.Now, q.Now.Add(s.Config.SetupTTL))
	})
	return token, err
}

// SetupPending reports whether the web setup page may still be used.
func (s *Service) SetupPending(ctx context.Context) (bool, error) {
	n, err := s.DB.Conn().CountAccounts(ctx)
	return n == 0, err
}

// SetupWithToken creates the first account from the web setup page. The
// token is used up in the same transaction, so the link works once.
func (s *Service) SetupWithToken(ctx context.Context, token string, in SetupInput, address string) (*padlock.User, error) {
	return s.setup(ctx, in, address, func(tx *store.Queries, q *MailQueue) error {
		if n, err := tx.CountAccounts(ctx); err != nil || n > 0 {
			if err == nil {
				err = errLinkInvalid
			}
			return err
		}
		if _, err := tx.UseToken(ctx, store.TokenSetup, HashToken(token), q.Now); err != nil {
			return errLinkInvalid
		}
		return nil
	})
}

// SetupFromCLI creates an account for the server's operator. Unlike the web
// page it may add further accounts to a running installation.
func (s *Service) SetupFromCLI(ctx context.Context, in SetupInput) (*padlock.User, error) {
	return s.setup(ctx, in, "command line", func(tx *store.Queries, q *MailQueue) error {
		return tx.VoidTokens(ctx, store.TokenSetup, 0, q.Now)
	})
}

func (s *Service) setup(ctx context.Context, in SetupInput, address string, guard func(*store.Queries, *MailQueue) error) (*padlock.User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	var u *padlock.User
	err = s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if err := guard(tx, q); err != nil {
			return err
		}
		acct := &padlock.Account{Name: in.AccountName, CreatedAt: q.Now, SessionIdle: s.Config.SessionIdle, SessionLifetime: s.Config.SessionLifetime}
		if err := tx.CreateAccount(ctx, acct); err != nil {
			return err
		}
		u = &padlock.User{AccountID: acct.ID, Email: in.Email, Name: in.Name, Role: padlock.RoleAdministrator,
			Status: padlock.StatusActive, CreatedAt: q.Now}
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(acct.ID, Actor{User: u, Address: address}, padlock.EventAccountCreated, u.ID, acct.Name, q.Now))
	})
	return u, err
}
