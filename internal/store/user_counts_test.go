package store_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// countsWorld is two accounts, each with staff and portals, changed at
// random through the store's writes; it remembers which users exist.
type countsWorld struct {
	t        *testing.T
	db       *store.DB
	ctx      context.Context
	accounts []int64
	portals  map[int64][]int64 // by account
	users    []countedUser
	next     int // makes emails and credential ids unique
}

type countedUser struct{ id, account, portal int64 }

var errRolledBack = errors.New("rolled back on purpose")

// countsOps are the writes that change what user_counts counts, each in a
// transaction of its own, as the services make them.
var countsOps = []struct {
	name string
	run  func(w *countsWorld, tx *store.Queries, r *rand.Rand) error
}{
	{"create a user", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return w.createUser(tx, r, padlock.StatusActive)
	}},
	{"invite a user", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return w.createUser(tx, r, padlock.StatusInvited)
	}},
	{"accept an invitation", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.ActivateUser(w.ctx, w.someUser(r).id, "Accepted", "x")
	}},
	{"deactivate a user", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		return tx.SetUserStatus(w.ctx, u.account, u.id, padlock.StatusDeactivated)
	}},
	{"reactivate a user", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		return tx.SetUserStatus(w.ctx, u.account, u.id, padlock.StatusActive)
	}},
	{"confirm an app", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.ActivateTOTP(w.ctx, w.someUser(r).id, []byte("sealed"), 1, time.Unix(deadlineEpoch, 0))
	}},
	{"remove an app", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.DeleteTOTP(w.ctx, w.someUser(r).id)
	}},
	{"add a passkey", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		w.next++
		return tx.AddPasskey(w.ctx, &padlock.Passkey{UserID: w.someUser(r).id, CredentialID: binary.BigEndian.AppendUint64(nil, uint64(w.next)),
			PublicKey: []byte("k"), AAGUID: []byte{}, Name: "Key", CreatedAt: time.Unix(deadlineEpoch, 0)})
	}},
	{"remove a passkey", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		keys, err := tx.Passkeys(w.ctx, u.id)
		if err != nil || len(keys) == 0 {
			return err
		}
		return tx.DeletePasskey(w.ctx, u.id, keys[r.IntN(len(keys))].ID)
	}},
	{"reset MFA", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		if err := tx.DeleteFactors(w.ctx, u.id); err != nil {
			return err
		}
		if err := tx.SetMFAReset(w.ctx, u.id, time.Unix(deadlineEpoch+int64(r.IntN(10))*day, 0)); err != nil {
			return err
		}
		return tx.ResetCredentials(w.ctx, u.id)
	}},
	{"sign in (counts nothing)", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.RecordSignIn(w.ctx, w.someUser(r).id, time.Unix(deadlineEpoch, 0))
	}},
	{"delete a portal user", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		if u.portal == 0 {
			return nil
		}
		w.forget(func(v countedUser) bool { return v.id == u.id })
		return tx.DeletePortalUser(w.ctx, u.account, u.portal, u.id)
	}},
	{"create a portal", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return w.createPortal(tx, w.accounts[r.IntN(len(w.accounts))])
	}},
	{"delete a portal", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		acct := w.accounts[r.IntN(len(w.accounts))]
		ps := w.portals[acct]
		if len(ps) == 0 {
			return nil
		}
		p := ps[r.IntN(len(ps))]
		w.portals[acct] = slices.DeleteFunc(ps, func(id int64) bool { return id == p })
		w.forget(func(v countedUser) bool { return v.portal == p })
		return tx.DeletePortal(w.ctx, acct, p)
	}},
	{"change a user and roll back", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		if err := tx.ActivateTOTP(w.ctx, u.id, []byte("sealed"), 1, time.Unix(deadlineEpoch, 0)); err != nil {
			return err
		}
		if err := tx.SetUserStatus(w.ctx, u.account, u.id, padlock.StatusDeactivated); err != nil {
			return err
		}
		return errRolledBack
	}},
	{"deactivate or reactivate many users of every list in one statement", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.ExecForTest(w.ctx, `UPDATE users SET status = CASE WHEN status = 'deactivated' THEN 'active' ELSE 'deactivated' END
			WHERE account_id = $1 AND id % 4 = $2`, w.accounts[r.IntN(len(w.accounts))], r.IntN(4))
	}},
	{"add apps to many users in one statement", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.ExecForTest(w.ctx, `INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at)
			SELECT id, $3, 0, 1 FROM users WHERE account_id = $1 AND id % 3 = $2 ON CONFLICT DO NOTHING`,
			w.accounts[r.IntN(len(w.accounts))], r.IntN(3), []byte("x"))
	}},
	{"remove the apps of many users in one statement", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		return tx.ExecForTest(w.ctx, `DELETE FROM totp_factors WHERE user_id IN (SELECT id FROM users WHERE account_id = $1 AND id % 3 = $2)`,
			w.accounts[r.IntN(len(w.accounts))], r.IntN(3))
	}},
	{"require MFA, or phishing-resistant MFA, or neither", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		acct := w.accounts[r.IntN(len(w.accounts))]
		inGrace := padlock.Requirement{RequiredAt: time.Unix(deadlineEpoch, 0), GraceDays: 7} // over halfway through the times checked
		req := []padlock.Requirement{{}, anyMFA, inGrace, strictMFA}[r.IntN(4)]
		query, id := `UPDATE accounts SET mfa_required_at = $2, mfa_strict_at = $3, mfa_grace_days = $4 WHERE id = $1`, acct
		if ps := w.portals[acct]; len(ps) > 0 && r.IntN(2) == 0 {
			query, id = `UPDATE portals SET mfa_required_at = $2, mfa_strict_at = $3, mfa_grace_days = $4 WHERE id = $1`, ps[r.IntN(len(ps))]
		}
		return tx.ExecForTest(w.ctx, query, id, unix(req.RequiredAt), unix(req.StrictAt), req.GraceDays)
	}},
	{"move a user to another list (no screen does)", func(w *countsWorld, tx *store.Queries, r *rand.Rand) error {
		u := w.someUser(r)
		to := slices.Concat([]int64{0}, w.portals[u.account])[r.IntN(len(w.portals[u.account])+1)]
		for i := range w.users {
			if w.users[i].id == u.id {
				w.users[i].portal = to
			}
		}
		return tx.ExecForTest(w.ctx, `UPDATE users SET portal_id = NULLIF($2, 0) WHERE id = $1`, u.id, to)
	}},
}

func (w *countsWorld) createUser(tx *store.Queries, r *rand.Rand, status padlock.UserStatus) error {
	acct := w.accounts[r.IntN(len(w.accounts))]
	lists := slices.Concat([]int64{0}, w.portals[acct])
	w.next++
	u := &padlock.User{AccountID: acct, PortalID: lists[r.IntN(len(lists))], Email: fmt.Sprintf("user%d@example.test", w.next),
		Role: padlock.RoleEditor, Status: status, CreatedAt: time.Unix(deadlineEpoch+int64(r.IntN(12)-2)*day, 0)}
	if r.IntN(4) > 0 {
		u.MFADeadline = time.Unix(deadlineEpoch+int64(r.IntN(12))*day, 0)
	}
	if u.PortalID != 0 {
		u.Role = padlock.RoleLite
	}
	created, err := tx.CreateUserIfNew(w.ctx, u, "x")
	if created {
		w.users = append(w.users, countedUser{u.ID, acct, u.PortalID})
	}
	return err
}

func (w *countsWorld) createPortal(tx *store.Queries, acct int64) error {
	w.next++
	org := &padlock.Organization{AccountID: acct, Name: fmt.Sprintf("Client %d", w.next), CreatedAt: time.Unix(deadlineEpoch, 0)}
	if err := tx.CreateOrganization(w.ctx, org); err != nil {
		return err
	}
	p := &padlock.Portal{AccountID: acct, OrganizationID: org.ID, Name: org.Name, CreatedAt: org.CreatedAt}
	if err := tx.CreatePortal(w.ctx, p); err != nil {
		return err
	}
	w.portals[acct] = append(w.portals[acct], p.ID)
	return nil
}

// someUser is a user who exists, or an id no user has while there is none.
func (w *countsWorld) someUser(r *rand.Rand) countedUser {
	if len(w.users) == 0 {
		return countedUser{id: -1, account: w.accounts[0]}
	}
	return w.users[r.IntN(len(w.users))]
}

func (w *countsWorld) forget(gone func(countedUser) bool) { w.users = slices.DeleteFunc(w.users, gone) }

// The counts that user_counts keeps, and each user's mfa_factors, equal a
// full count of users and their factors after every step of a random
// sequence of the writes that change them (single and bulk statements, a
// transaction rolled back, portals and an account deleted); and so do the
// counts every list's page reads, Overdue included.
func TestKeptUserCountsEqualAFullCountAfterEveryChange(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		w := &countsWorld{t: t, db: db, ctx: context.Background(), portals: map[int64][]int64{}}
		for _, name := range []string{"Acme", "Globex"} {
			acct, admin, bea := createAccountWithUsers(t, db, name, "admin@"+name+".test", "bea@"+name+".test")
			w.accounts = append(w.accounts, acct)
			w.users = append(w.users, countedUser{admin.ID, acct, 0}, countedUser{bea.ID, acct, 0})
		}
		r := rand.New(rand.NewPCG(20, 0o20))
		for step := range 400 {
			op := countsOps[r.IntN(len(countsOps))]
			err := db.InTx(w.ctx, func(tx *store.Queries) error { return op.run(w, tx, r) })
			if err != nil && !errors.Is(err, errRolledBack) && !errors.Is(err, padlock.ErrNotFound) {
				t.Fatalf("step %d, %s: %v", step, op.name, err)
			}
			if errors.Is(err, padlock.ErrNotFound) && op.name == "delete a portal user" {
				t.Fatalf("step %d: a user the test knows was not there to delete", step)
			}
			w.checkCounts(fmt.Sprintf("step %d, after %s", step, op.name), r)
		}
		gone := w.accounts[1]
		if err := db.InTx(w.ctx, func(tx *store.Queries) error {
			return tx.ExecForTest(w.ctx, `DELETE FROM accounts WHERE id = $1`, gone)
		}); err != nil {
			t.Fatal(err)
		}
		w.accounts = w.accounts[:1]
		w.checkCounts("after deleting an account", r)
		if n, err := db.Conn().CountForTest(w.ctx, `SELECT COUNT(*) FROM user_counts WHERE account_id = $1`, gone); err != nil || n != 0 {
			t.Fatalf("a deleted account keeps %d rows of counts (%v)", n, err)
		}
	})
}

// checkCounts compares every kept count with a full count.
func (w *countsWorld) checkCounts(when string, r *rand.Rand) {
	t, conn := w.t, w.db.Conn()
	t.Helper()
	stored, err := conn.StoredCountsForTest(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := conn.RecountForTest(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for key := range joinKeys(stored, recount) {
		if stored[key] != recount[key] {
			t.Fatalf("%s: list %v keeps %+v, a full count finds %+v", when, key, stored[key], recount[key])
		}
	}
	stale, err := conn.CountForTest(w.ctx, `SELECT COUNT(*) FROM user_counts c WHERE c.portal_id <> 0
		AND NOT EXISTS (SELECT 1 FROM portals p WHERE p.id = c.portal_id AND p.account_id = c.account_id)`)
	if err != nil || stale != 0 {
		t.Fatalf("%s: %d rows of counts for portals that are gone (%v)", when, stale, err)
	}
	wrong, err := conn.CountForTest(w.ctx, `SELECT COUNT(*) FROM users WHERE mfa_factors <>
		CASE WHEN EXISTS (SELECT 1 FROM totp_factors f WHERE f.user_id = users.id) THEN 1 ELSE 0 END +
		CASE WHEN EXISTS (SELECT 1 FROM webauthn_credentials k WHERE k.user_id = users.id) THEN 2 ELSE 0 END`)
	if err != nil || wrong != 0 {
		t.Fatalf("%s: %d users whose mfa_factors are not their factors (%v)", when, wrong, err)
	}
	for _, acct := range w.accounts {
		w.checkLists(when, acct, recount, r)
	}
}

// checkLists compares what each page of an account reads (its users lists,
// MFA coverage with Overdue, the API's factor counts, Client portals) with
// the full count of before, at a time chosen at random.
func (w *countsWorld) checkLists(when string, acct int64, recount map[[2]int64]store.ListCountsForTest, r *rand.Rand) {
	t, conn := w.t, w.db.Conn()
	t.Helper()
	now := time.Unix(deadlineEpoch+int64(r.IntN(14))*day, 0)
	lists := slices.Concat([]int64{0}, w.portals[acct])
	coverage, err := conn.Coverage(w.ctx, acct, now)
	if err != nil {
		t.Fatal(err)
	}
	factors, err := conn.FactorCoverage(w.ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range lists {
		req := requirementOf(t, w.db, acct, list)
		want, err := conn.FullCountForTest(w.ctx, acct, list, req, now)
		if err != nil {
			t.Fatal(err)
		}
		got, err := conn.CountUsers(w.ctx, acct, list, req, now)
		if err != nil || got != want {
			t.Fatalf("%s: list %d of account %d counts %+v, a full count finds %+v (%v)", when, list, acct, got, want, err)
		}
		if coverage[list] != want {
			t.Fatalf("%s: list %d of account %d has coverage %+v, a full count finds %+v", when, list, acct, coverage[list], want)
		}
		full := recount[[2]int64{acct, list}]
		if f := factors[list]; f.TOTP != full.CurrentWithApp || f.Passkey != full.CurrentWithPasskey {
			t.Fatalf("%s: list %d of account %d counts factors %+v, a full count finds %+v", when, list, acct, f, full)
		}
		// A page of the coverage reads its own lists only, and the same.
		one, err := conn.CoverageOf(w.ctx, acct, now, []int64{list})
		if err != nil || len(one) > 1 || one[list] != want {
			t.Fatalf("%s: list %d of account %d read alone has coverage %+v, a full count finds %+v (%v)", when, list, acct, one, want, err)
		}
		oneFactors, err := conn.FactorCoverageOf(w.ctx, acct, []int64{list})
		if f := oneFactors[list]; err != nil || len(oneFactors) > 1 || f != factors[list] {
			t.Fatalf("%s: list %d of account %d read alone counts factors %+v, want %+v (%v)", when, list, acct, oneFactors, factors[list], err)
		}
	}
	portals, err := conn.Portals(w.ctx, acct, store.PortalPage{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range portals {
		if full := recount[[2]int64{acct, p.ID}]; p.Users != full.Current || p.WithMFA != full.CurrentWithMFA {
			t.Fatalf("%s: Client portals shows portal %d with %d users, %d with MFA; a full count finds %+v", when, p.ID, p.Users, p.WithMFA, full)
		}
	}
}

func requirementOf(t *testing.T, db *store.DB, acct, portal int64) padlock.Requirement {
	t.Helper()
	if portal != 0 {
		p, err := db.Conn().Portal(context.Background(), acct, portal)
		if err != nil {
			t.Fatal(err)
		}
		return p.Requirement()
	}
	a, err := db.Conn().Account(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	return a.Requirement()
}

func joinKeys[K comparable, V any](a, b map[K]V) map[K]bool {
	out := map[K]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Migration 0020 fills the counts and each user's mfa_factors from the
// users, factors and portals already there, and the lists count the same as
// before it.
func TestUpgradingCountsTheUsersAlreadyThere(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openAtVersion(t, d, 19)
			w := &countsWorld{t: t, db: db, ctx: ctx, portals: map[int64][]int64{}}
			for i, name := range []string{"Acme", "Globex"} {
				acct, _, _ := createAccountWithUsers(t, db, name, "admin@"+name+".test", "bea@"+name+".test")
				seedUsers(t, db, acct, name, 300)
				withDeadlines(t, db, acct)
				if i == 0 {
					w.portals[acct] = []int64{portalWithSeededUsers(t, db, acct, 40)}
				}
				withJoinsAndPasskeys(t, db, acct)
				w.accounts = append(w.accounts, acct)
			}
			before, err := db.Conn().RecountForTest(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			if stored, err := db.Conn().StoredCountsForTest(ctx); err != nil || len(stored) != len(before) {
				t.Fatalf("the upgrade stored counts of %d lists, there are %d (%v)", len(stored), len(before), err)
			}
			r := rand.New(rand.NewPCG(19, 20))
			for i := range 10 {
				w.checkCounts(fmt.Sprintf("after the upgrade (%d)", i), r)
			}
		})
	}
}

// Data restored with its triggers disabled, or edited by hand, leaves the
// kept counts wrong; the after-restore step counts them all again.
func TestAfterRestoreCountsTheKeptCountsAgain(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &countsWorld{t: t, db: db, ctx: ctx, portals: map[int64][]int64{}}
		acct, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		seedUsers(t, db, acct, "acme", 60)
		w.portals[acct] = []int64{portalWithSeededUsers(t, db, acct, 12)}
		withJoinsAndPasskeys(t, db, acct)
		w.accounts = []int64{acct}
		r := rand.New(rand.NewPCG(21, 22))
		w.checkCounts("before", r)

		err := db.InTx(ctx, func(tx *store.Queries) error {
			for _, q := range []string{
				`UPDATE users SET mfa_factors = 3 WHERE account_id = $1`,
				`UPDATE user_counts SET current_with_mfa = current_with_mfa + 7 WHERE account_id = $1`,
				`DELETE FROM user_counts WHERE account_id = $1 AND portal_id <> 0`,
				`INSERT INTO user_counts (account_id, portal_id, users, current_users) VALUES ($1, 999999, 5, 5)`,
			} {
				if err := tx.ExecForTest(ctx, q, acct); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.AfterRestore(ctx, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if v.Recounted.Users == 0 || v.Recounted.Lists != 2 {
			t.Errorf("recounted %+v, want the users made wrong and the 2 lists", v.Recounted)
		}
		w.checkCounts("after the after-restore step", r)
	})
}
