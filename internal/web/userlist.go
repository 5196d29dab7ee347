package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// A users list (Account > Users, a portal's users) shows a page at a time,
// found by the key of the user before or after it, never by counting rows
// from the start, so a page costs the same in a small account and a large.

const usersPerPage = 50

// userList is one page of a users list with its counts and page links.
type userList struct {
	Users   []*padlock.User
	Total   int // users matching the filter
	WithMFA int // of the list's current users, how many have MFA
	Counted int // the list's current (not deactivated) users
	Overdue int // of the list's current users, how many are overdue
	// WithPasskey counts the list's current users with a passkey.
	WithPasskey int
	MFA         string
	Sort        string
	// Requirement is the list's (the account's, or the portal's); Required
	// tells whether it is on: only then are deadlines shown, sorted by and
	// filtered on.
	Requirement padlock.Requirement
	Required    bool
	// GraceEnds is when the grace ends for the users who were there when
	// MFA became required; zero while nothing is required.
	GraceEnds time.Time
	GraceDays int
	Now       time.Time
	ListURL   string // the list, for its filter
	CSVURL    string // its CSV export
	RemindURL string // where "Remind all without MFA" posts
	// UserURL is where a user's page is, before their id (portal lists).
	UserURL string
	PrevURL string
	NextURL string
}

// userListOf says which users list a page shows and where its links lead.
type userListOf struct {
	AccountID, PortalID int64
	// Requirement is the list's: the account's for the staff, the
	// portal's for its users.
	Requirement                         padlock.Requirement
	ListURL, CSVURL, RemindURL, UserURL string
}

// at is the list with its requirement as it stands at now, before any
// user is read.
func (of userListOf) at(now time.Time) userList {
	r := of.Requirement
	return userList{Requirement: r, Required: !r.RequiredAt.IsZero(), GraceDays: r.GraceDays, GraceEnds: padlock.GraceEnds(r.RequiredAt, r.GraceDays),
		Now: now, ListURL: of.ListURL, CSVURL: of.CSVURL, RemindURL: of.RemindURL, UserURL: of.UserURL}
}

// staffList is Account > Users of the account.
func staffList(a *padlock.Account) userListOf {
	return userListOf{AccountID: a.ID, Requirement: a.Requirement(),
		ListURL: "/account/users", CSVURL: "/account/users.csv", RemindURL: "/account/users/remind-all"}
}

// portalList is the users list of a portal.
func portalList(p *padlock.Portal) userListOf {
	u := portalURL(p)
	return userListOf{AccountID: p.AccountID, PortalID: p.ID, Requirement: p.Requirement(),
		ListURL: u, CSVURL: u + "/users.csv", RemindURL: u + "/remind-all", UserURL: u + "/users/"}
}

// now is the services' clock, the one a test moves.
func (s *Server) now() time.Time { return s.auth.Now().Truncate(time.Second) }

// mfaFilter reads the users list's MFA filter; anything unknown is "all".
func mfaFilter(r *http.Request) store.MFAFilter {
	switch f := store.MFAFilter(r.URL.Query().Get("mfa")); f {
	case store.MFASetUp, store.MFANotSet, store.MFAOverdue, store.MFANoPasskey:
		return f
	}
	return store.MFAAny
}

// listSort reads the users list's order; anything unknown is by email, and
// so is the deadline while nothing is required.
func listSort(r *http.Request, required bool) store.UserSort {
	if required && r.URL.Query().Get("sort") == string(store.SortDeadline) {
		return store.SortDeadline
	}
	return store.SortEmail
}

// pageKey reads a page link's key, the user's id and the value the list is
// sorted by: "id:email", or "id:deadline" in Unix seconds. Anything
// malformed is no key, which shows the first page.
func pageKey(v string, sort store.UserSort) store.UserKey {
	id, value, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return store.UserKey{}
	}
	if sort == store.SortDeadline {
		d, err := strconv.ParseInt(value, 10, 64)
		if err != nil || d < 0 {
			return store.UserKey{}
		}
		return store.UserKey{ID: n, Deadline: d}
	}
	if value == "" || len(value) > 320 || !utf8.ValidString(value) {
		return store.UserKey{}
	}
	return store.UserKey{ID: n, Email: value}
}

// listUsers reads the page of the account's staff or of one portal's users
// that the request's filter, order and page key ask for. A key that is
// malformed, or leads off either end of the list, gives the first page.
func (s *Server) listUsers(r *http.Request, of userListOf) (userList, error) {
	l := of.at(s.now())
	l.MFA = string(mfaFilter(r))
	required := l.Required
	f := store.UserFilter{PortalID: of.PortalID, MFA: mfaFilter(r), Requirement: l.Requirement, Now: l.Now, Sort: listSort(r, required), Limit: usersPerPage + 1}
	l.Sort = string(f.Sort)
	if after, before := pageKey(r.URL.Query().Get("after"), f.Sort), pageKey(r.URL.Query().Get("before"), f.Sort); after.ID == 0 || before.ID == 0 {
		f.After, f.Before = after, before
	}
	conn := s.db.Conn()
	counts, err := conn.CountUsers(r.Context(), of.AccountID, of.PortalID, l.Requirement, l.Now)
	if err != nil {
		return l, err
	}
	l.Total, l.WithMFA, l.Counted, l.Overdue = counts.Matching(f.MFA), counts.CurrentWithMFA, counts.Current, counts.Overdue
	l.WithPasskey = counts.CurrentWithPasskey
	if f.MFA == store.MFAOverdue && !required {
		return l, nil
	}
	users, err := conn.Users(r.Context(), of.AccountID, f)
	if err == nil && (f.After.ID != 0 && len(users) == 0 || f.Before.ID != 0 && len(users) <= usersPerPage) {
		f.After, f.Before = store.UserKey{}, store.UserKey{}
		users, err = conn.Users(r.Context(), of.AccountID, f)
	}
	if err != nil {
		return l, err
	}
	hasPrev, hasNext := f.After.ID != 0, len(users) > usersPerPage
	if f.Before.ID != 0 {
		users, hasPrev, hasNext = users[1:], true, true
	} else if hasNext {
		users = users[:usersPerPage]
	}
	l.Users = users
	if hasPrev {
		l.PrevURL = l.pageURL("before", f.Sort.KeyOf(users[0]))
	}
	if hasNext {
		l.NextURL = l.pageURL("after", f.Sort.KeyOf(users[len(users)-1]))
	}
	return l, nil
}

// pageURL links to the page just after or just before the user with key k.
func (l *userList) pageURL(dir string, k store.UserKey) string {
	value := k.Email
	if l.Sort == string(store.SortDeadline) {
		value = strconv.FormatInt(k.Deadline, 10)
	}
	v := url.Values{dir: {strconv.FormatInt(k.ID, 10) + ":" + value}}
	if l.MFA != "" {
		v.Set("mfa", l.MFA)
	}
	if l.Sort != "" {
		v.Set("sort", l.Sort)
	}
	return l.ListURL + "?" + v.Encode()
}

// Query is the list's filter and order as a query string, "" for none.
func (l userList) Query() string {
	v := url.Values{}
	if l.MFA != "" {
		v.Set("mfa", l.MFA)
	}
	if l.Sort != "" {
		v.Set("sort", l.Sort)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// WithoutMFA counts the list's current users who have no MFA yet.
func (l userList) WithoutMFA() int { return l.Counted - l.WithMFA }

// Lacking counts the list's current users who lack what its requirement
// asks (padlock.Requirement.Lacking): at the strict level, a passkey.
func (l userList) Lacking() int {
	if l.Requirement.Strict() {
		return l.Counted - l.WithPasskey
	}
	return l.WithoutMFA()
}

// MustSetUpBy is u's deadline when one applies to them and they are not
// deactivated (padlock.Requirement.Deadline): while the list requires MFA,
// for a user without MFA, and at the strict level for a user with only an
// app, by when they must add a passkey.
func (l userList) MustSetUpBy(u *padlock.User) time.Time {
	deadline, ok := l.Requirement.Deadline(u)
	switch {
	case !ok || u.Status == padlock.StatusDeactivated:
		return time.Time{}
	case deadline.IsZero():
		return l.GraceEnds // required from the start: 0 reads as "now"
	}
	return deadline
}

// userDeadline is a row's "Must set up by" cell.
type userDeadline struct {
	At      time.Time // zero when no deadline applies
	Overdue bool
	// Passkey tells that the deadline is for adding a passkey: the user
	// has MFA, but only an app, and the list requires phishing-resistant
	// MFA.
	Passkey bool
}

// DeadlineOf is u's "Must set up by" cell.
func (l userList) DeadlineOf(u *padlock.User) userDeadline {
	at := l.MustSetUpBy(u)
	return userDeadline{At: at, Overdue: u.MFAOverdue(l.Requirement, l.Now), Passkey: !at.IsZero() && u.HasMFA()}
}

// writeUsersCSV streams a users list with MFA status, set-up date and
// deadline, writing each row as it is read from the database, in the
// filter and order of the list's page.
func (s *Server) writeUsersCSV(w http.ResponseWriter, r *http.Request, filename string, of userListOf) {
	l := of.at(s.now())
	required := l.Required
	f := store.UserFilter{PortalID: of.PortalID, MFA: mfaFilter(r), Requirement: l.Requirement, Now: l.Now, Sort: listSort(r, required)}
	accountID := of.AccountID
	out := usersCSV{csvExport: newCSVExport(w, filename), factors: lowerCells{}}
	out.write([]string{"name", "email", "role", "status", "mfa", "mfa_set_up", "last_sign_in", "must_set_up_by", "strongest_factor"})
	rows := 0
	var err error
	// While nothing is required no one is overdue: the header alone.
	if f.MFA != store.MFAOverdue || required {
		err = s.db.Conn().EachUser(r.Context(), accountID, f, func(u *padlock.User) error {
			rows++
			return out.row(u, l.MustSetUpBy(u))
		}, out.flush)
	}
	if err == nil {
		err = out.flush()
	}
	switch {
	case err == nil || r.Context().Err() != nil:
	case rows == 0: // nothing has been sent: the error can still be a page
		w.Header().Del("Content-Disposition")
		s.error(w, r, err)
	default: // the status is sent; all we can do is stop and say why
		s.logger.Error("users export", "account", accountID, "err", err)
	}
}

// usersCSV writes the rows of a users export into one record it reuses.
type usersCSV struct {
	*csvExport
	record  [9]string
	factors lowerCells
}

func (c *usersCSV) row(u *padlock.User, deadline time.Time) error {
	mfa := "not set up"
	if u.HasMFA() {
		mfa = "set up"
	}
	r := &c.record
	r[0], r[1], r[2], r[3], r[4] = u.Name, u.Email, u.Role.Label(), string(u.Status), mfa
	r[5], r[6], r[7], r[8] = csvTime(u.MFASince), csvTime(u.LastSignIn), csvTime(deadline), c.factors.of(u.StrongestFactor())
	return c.write(r[:])
}

// csvTime is a time in a CSV cell: RFC 3339 in UTC, "" for none.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
