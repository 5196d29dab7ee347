package store_test

import (
	"context"
	"encoding/binary"
	"slices"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

const day = 24 * 3600

// withJoinsAndPasskeys spreads the joining times of the account's users
// over thirteen days from deadlineEpoch and gives every seventh a passkey
// (beside the app most of them have).
func withJoinsAndPasskeys(t *testing.T, db *store.DB, acct int64) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Queries) error {
		if err := tx.ExecForTest(ctx, `UPDATE users SET created_at = $2 + (id % 13) * 86400 WHERE account_id = $1`, acct, deadlineEpoch); err != nil {
			return err
		}
		users, err := tx.Users(ctx, acct, store.UserFilter{})
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.ID%7 != 0 {
				continue
			}
			p := &padlock.Passkey{UserID: u.ID, CredentialID: binary.BigEndian.AppendUint64(nil, uint64(u.ID)), PublicKey: []byte("k"),
				AAGUID: []byte{}, Name: "Key", CreatedAt: time.Unix(deadlineEpoch, 0)}
			if err := tx.AddPasskey(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setRequirement stores a requirement on the account (portal 0) or a
// portal, as the settings forms do.
func setRequirement(t *testing.T, db *store.DB, acct, portal int64, r padlock.Requirement) {
	t.Helper()
	ctx := context.Background()
	query := `UPDATE accounts SET mfa_required_at = $2, mfa_strict_at = $3, mfa_grace_days = $4 WHERE id = $1`
	id := acct
	if portal != 0 {
		query, id = `UPDATE portals SET mfa_required_at = $2, mfa_strict_at = $3, mfa_grace_days = $4 WHERE id = $1`, portal
	}
	err := db.InTx(ctx, func(tx *store.Queries) error {
		return tx.ExecForTest(ctx, query, id, unix(r.RequiredAt), unix(r.StrictAt), r.GraceDays)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// strictMFA is a requirement raised to phishing-resistant MFA two days
// after the epoch, with three days of grace.
var strictMFA = padlock.Requirement{RequiredAt: time.Unix(deadlineEpoch-day, 0), StrictAt: time.Unix(deadlineEpoch+2*day, 0), GraceDays: 3}

// At the strict level a user with only an app is overdue once the strict
// level's deadline passed: the users list's filter, its counts and the
// coverage of every list (each under its own requirement) agree with
// padlock.User.MFAOverdue user by user.
func TestAtTheStrictLevelUsersWithOnlyAnAppAreOverdueAfterItsDeadline(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		withDeadlines(t, db, acct)
		portal := portalWithSeededUsers(t, db, acct, 60)
		withJoinsAndPasskeys(t, db, acct)
		portalStrict := padlock.Requirement{RequiredAt: time.Unix(deadlineEpoch, 0), StrictAt: time.Unix(deadlineEpoch+day, 0), GraceDays: 1}
		for _, tc := range []struct {
			name           string
			staff, portal  padlock.Requirement
			now            time.Time
			appOnlyOverdue bool // some staff with only an app are overdue
		}{
			{"any MFA", anyMFA, anyMFA, time.Unix(deadlineEpoch+30*day, 0), false},
			{"strict, in its grace", strictMFA, portalStrict, time.Unix(deadlineEpoch+5*day-1, 0), false},
			{"strict, its grace just over", strictMFA, portalStrict, time.Unix(deadlineEpoch+5*day, 0), true},
			{"strict, later joiners in their grace", strictMFA, portalStrict, time.Unix(deadlineEpoch+9*day+3600, 0), true},
			{"strict, every grace over", strictMFA, portalStrict, time.Unix(deadlineEpoch+30*day, 0), true},
			{"strict for the portal only", padlock.Requirement{}, portalStrict, time.Unix(deadlineEpoch+30*day, 0), false},
		} {
			setRequirement(t, db, acct, 0, tc.staff)
			setRequirement(t, db, acct, portal, tc.portal)
			coverage, err := db.Conn().Coverage(ctx, acct, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			for list, r := range map[int64]padlock.Requirement{0: tc.staff, portal: tc.portal} {
				all, err := db.Conn().Users(ctx, acct, store.UserFilter{PortalID: list})
				if err != nil {
					t.Fatal(err)
				}
				var want []int64
				appOnly := 0
				for _, u := range all {
					if u.MFAOverdue(r, tc.now) {
						want = append(want, u.ID)
						if u.HasTOTP() {
							appOnly++
						}
					}
				}
				slices.Sort(want)
				if list == 0 && (appOnly > 0) != tc.appOnlyOverdue {
					t.Fatalf("%s: %d staff with only an app overdue; the case expects some: %v", tc.name, appOnly, tc.appOnlyOverdue)
				}
				for _, sort := range []store.UserSort{store.SortEmail, store.SortDeadline} {
					var got []int64
					f := store.UserFilter{PortalID: list, MFA: store.MFAOverdue, Requirement: r, Now: tc.now, Sort: sort}
					err := db.Conn().EachUser(ctx, acct, f, func(u *padlock.User) error {
						got = append(got, u.ID)
						return nil
					}, nil)
					slices.Sort(got)
					if err != nil || !slices.Equal(got, want) {
						t.Fatalf("%s, list %d, sorted %q: the filter lists %d overdue, want %d (%v)", tc.name, list, sort, len(got), len(want), err)
					}
				}
				c, err := db.Conn().CountUsers(ctx, acct, list, r, tc.now)
				if err != nil || c.Overdue != len(want) {
					t.Fatalf("%s, list %d: counted %d overdue, want %d (%v)", tc.name, list, c.Overdue, len(want), err)
				}
				if coverage[list] != c {
					t.Fatalf("%s, list %d: coverage %+v, the list counts %+v", tc.name, list, coverage[list], c)
				}
			}
		}
	})
}
