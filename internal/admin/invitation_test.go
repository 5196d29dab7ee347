package admin_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestParseEmails(t *testing.T) {
	t.Parallel()
	many := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "user%d@acme.test\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name    string
		raw     string
		want    []string
		refused string // part of the message; "" means accepted
	}{
		{"commas, semicolons, spaces and lines all separate addresses", "a@acme.test, b@acme.test;c@acme.test\r\nd@acme.test\te@acme.test",
			[]string{"a@acme.test", "b@acme.test", "c@acme.test", "d@acme.test", "e@acme.test"}, ""},
		{"addresses are lower-cased and repeats dropped, keeping the first order", "B@Acme.test\nb@acme.test, a@acme.test,,B@ACME.TEST",
			[]string{"b@acme.test", "a@acme.test"}, ""},
		{"fifty addresses are accepted", many(50), nil, ""},
		{"fifty-one addresses are refused", many(51), nil, "at most 50"},
		{"an empty list is refused", " ,\n ", nil, "at least one"},
		{"a bad address is refused by name", "a@acme.test, not-an-address, b@acme.test", nil, "not-an-address"},
		{"an address with a display name is refused", "a@acme.test\n<b@acme.test>", nil, "<b@acme.test>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := admin.ParseEmails("emails", tt.raw)
			if tt.refused != "" {
				var e *padlock.Error
				if !errors.As(err, &e) || e.Fields.Message("emails") == "" || !strings.Contains(e.Message, tt.refused) {
					t.Fatalf("ParseEmails = %v, %v; want an error on emails saying %q", got, err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tt.want == nil && len(got) != strings.Count(tt.raw, "\n") {
				t.Errorf("%d addresses, want %d", len(got), strings.Count(tt.raw, "\n"))
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEmails = %q, want %q", got, tt.want)
			}
		})
	}
}

// An address that already has a Padlock user in this account refuses the
// whole invitation beside the field, naming the address: no one is
// invited, the existing user is unchanged, its owner is mailed, and the
// refusal is on the inviter's Activity. An address of another account is
// answered like any invitation: nothing changes there, and only its owner
// is told.
func TestInvitingAnAddressThatHasAUserRefusesTheInvitationAndTellsItsOwner(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		other := setupAccount(t, svc, "Globex", "boss@globex.test")
		addUser(t, svc, admin, "bea@acme.test", padlock.RoleEditor)
		testenv.TakeMail(t, db)
		n, err := svc.Invite(ctx, auth.Actor{User: admin}, 0, []string{"one@acme.test", "bea@acme.test", "admin@acme.test", "boss@globex.test"}, padlock.RoleEditor)
		var e *padlock.Error
		if n != 0 || !errors.As(err, &e) || e.Code != padlock.EINVALID {
			t.Fatalf("Invite = %d, %v; want a field error", n, err)
		}
		msg := e.Fields.Message("emails")
		if !strings.Contains(msg, "again: bea@acme.test, admin@acme.test.") || strings.Contains(msg, "globex") {
			t.Errorf("the refusal beside the field names %q; want this account's two addresses only", msg)
		}
		if _, err := db.Conn().CredentialsByEmail(ctx, "one@acme.test"); padlock.ErrorCode(err) != padlock.ENOTFOUND {
			t.Errorf("one@acme.test was invited although the invitation was refused: %v", err)
		}
		subjects := map[string]string{}
		for _, m := range testenv.TakeMail(t, db) {
			subjects[m.To] = m.Subject
		}
		if !strings.Contains(subjects["bea@acme.test"], "tried to invite you") || len(subjects) != 2 {
			t.Errorf("mail sent: %q; want this account's two owners told", subjects)
		}
		if refused := refusalsOn(t, db, admin.AccountID); refused != 2 {
			t.Errorf("%d refusals recorded, want 2", refused)
		}

		// Another account's address alone: answered like any invitation.
		if n, err := svc.Invite(ctx, auth.Actor{User: admin}, 0, []string{"boss@globex.test"}, padlock.RoleEditor); err != nil || n != 1 {
			t.Fatalf("inviting another account's address: %d, %v; want it answered like any other", n, err)
		}
		if c, err := db.Conn().CredentialsByEmail(ctx, "boss@globex.test"); err != nil || c.User.ID != other.ID || c.User.AccountID != other.AccountID || c.User.Role != padlock.RoleAdministrator {
			t.Errorf("the other account's user changed: %+v, %v", c, err)
		}
		if mails := testenv.TakeMail(t, db); len(mails) != 1 || mails[0].To != "boss@globex.test" || !strings.Contains(mails[0].Subject, "tried to invite you") {
			t.Errorf("mail for another account's address: %+v", mails)
		}
	})
}

// Whoever can invite could have Padlock mail any user again and again by
// inviting their address: its owner is told at most once a day, whichever
// account tries and whether or not the address is in the inviter's own
// account, while each refusal is still on the inviter's Activity.
func TestTheOwnerOfAnAddressIsToldOfInvitationsAtMostOnceADay(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clock := newService(t, db)
		acme := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		initech := setupAccount(t, svc, "Initech", "admin@initech.test")
		setupAccount(t, svc, "Globex", "boss@globex.test")
		addUser(t, svc, acme, "bea@acme.test", padlock.RoleEditor)
		testenv.TakeMail(t, db)
		told := func(when string, want map[string]int) {
			t.Helper()
			got := map[string]int{}
			for _, m := range testenv.TakeMail(t, db) {
				if strings.Contains(m.Subject, "tried to invite you") {
					got[m.To]++
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: told %v, want %v", when, got, want)
			}
			for to, n := range want {
				if got[to] != n {
					t.Errorf("%s: told %v, want %v", when, got, want)
				}
			}
		}
		tryBoth := func(times int) {
			for range times {
				for _, admin := range []*padlock.User{acme, initech} {
					svc.Invite(ctx, auth.Actor{User: admin}, 0, []string{"boss@globex.test"}, padlock.RoleEditor)
				}
				svc.Invite(ctx, auth.Actor{User: acme}, 0, []string{"bea@acme.test"}, padlock.RoleEditor)
			}
		}
		tryBoth(3)
		told("three tries from two accounts", map[string]int{"boss@globex.test": 1, "bea@acme.test": 1})
		clock.Advance(23 * time.Hour)
		tryBoth(1)
		told("within the day", nil)
		clock.Advance(time.Hour + time.Second)
		tryBoth(2)
		told("a day later", map[string]int{"boss@globex.test": 1, "bea@acme.test": 1})

		if refused := refusalsOn(t, db, acme.AccountID); refused != 6 {
			t.Errorf("%d refusals on the inviter's Activity, want every one of the 6", refused)
		}
	})
}

// refusalsOn counts the refused invitations on an account's Activity.
func refusalsOn(t *testing.T, db *store.DB, accountID int64) int {
	t.Helper()
	events, err := db.Conn().Events(context.Background(), accountID, 50)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Kind == padlock.EventInviteRefused {
			n++
		}
	}
	return n
}
