package loadtest

import (
	"context"
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Password is every seeded user's password; it passes the password policy.
const Password = "orbit-plum-cascade-harbor"

// AdminEmail is the seeded account's Administrator, who has no MFA.
const AdminEmail = "admin@bench.test"

// totpPurpose is the purpose the auth service seals TOTP secrets under
// (purposeTOTP in internal/auth/mfa.go). Should it change, the first
// sign-in of the harness fails and says so.
const totpPurpose = "totp"

// Fixture is the seeded account: an Administrator without MFA and users
// with a confirmed authenticator app whose secrets the harness knows.
type Fixture struct {
	AccountID int64
	Users     []*User
}

// Seed creates an account through the same service the CLI uses, then
// writes users users and orgs organizations straight into the store in one
// transaction. Every user shares the Administrator's password hash (made
// once at the production parameters), so verifying any of them costs what
// a real sign-in costs.
func Seed(ctx context.Context, a *app.App, users, orgs int) (*Fixture, error) {
	admin, err := a.Auth.SetupFromCLI(ctx, auth.SetupInput{AccountName: "Bench MSP", Name: "Bench Admin", Email: AdminEmail, Password: Password})
	if err != nil {
		return nil, fmt.Errorf("seed: account: %w", err)
	}
	hash, err := a.DB.Conn().PasswordHash(ctx, admin.ID)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	f := &Fixture{AccountID: admin.AccountID}
	now := time.Now()
	err = a.DB.InTx(ctx, func(tx *store.Queries) error {
		for i := range users {
			u, err := seedUser(ctx, tx, a.Auth.Sealer, admin.AccountID, i, hash, now)
			if err != nil {
				return err
			}
			f.Users = append(f.Users, u)
		}
		return seedOrganizations(ctx, tx, admin.AccountID, orgs, now)
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return f, nil
}

// seedUser adds an active Editor with a confirmed authenticator app whose
// last accepted step is 0, so any current code works.
func seedUser(ctx context.Context, tx *store.Queries, sealer *mfa.Sealer, accountID int64, i int, hash string, now time.Time) (*User, error) {
	u := &padlock.User{AccountID: accountID, Email: fmt.Sprintf("user%05d@bench.test", i), Name: fmt.Sprintf("Bench User %d", i),
		Role: padlock.RoleEditor, Status: padlock.StatusActive, CreatedAt: now}
	if err := tx.CreateUser(ctx, u, hash); err != nil {
		return nil, err
	}
	secret := mfa.NewSecret()
	if err := tx.ActivateTOTP(ctx, u.ID, sealer.Seal(u.ID, totpPurpose, secret), 0, now); err != nil {
		return nil, err
	}
	return &User{Email: u.Email, Secret: secret}, nil
}

func seedOrganizations(ctx context.Context, tx *store.Queries, accountID int64, n int, now time.Time) error {
	for i := range n {
		o := &padlock.Organization{AccountID: accountID, Name: fmt.Sprintf("Client %03d", i), CreatedAt: now}
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
	}
	return nil
}
