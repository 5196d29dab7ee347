package web

import (
	"encoding/csv"
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
	MFA     string
	ListURL string // the list, for its filter
	CSVURL  string // its CSV export
	PrevURL string
	NextURL string
}

// mfaFilter reads the users list's MFA filter; anything unknown is "all".
func mfaFilter(r *http.Request) store.MFAFilter {
	switch f := store.MFAFilter(r.URL.Query().Get("mfa")); f {
	case store.MFASetUp, store.MFANotSet:
		return f
	}
	return store.MFAAny
}

// pageKey reads a page link's key, the user's id and email as "id:email".
// Anything malformed is no key, which shows the first page.
func pageKey(v string) store.UserKey {
	id, email, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || email == "" || len(email) > 320 || !utf8.ValidString(email) {
		return store.UserKey{}
	}
	return store.UserKey{ID: n, Email: email}
}

// listUsers reads the page of the account's staff (portalID 0) or of one
// portal's users that the request's filter and page key ask for. A key that
// is malformed, or leads off either end of the list, gives the first page.
func (s *Server) listUsers(r *http.Request, accountID, portalID int64, listURL, csvURL string) (userList, error) {
	l := userList{MFA: string(mfaFilter(r)), ListURL: listURL, CSVURL: csvURL}
	f := store.UserFilter{PortalID: portalID, MFA: mfaFilter(r), Limit: usersPerPage + 1}
	if after, before := pageKey(r.URL.Query().Get("after")), pageKey(r.URL.Query().Get("before")); after.ID == 0 || before.ID == 0 {
		f.After, f.Before = after, before
	}
	conn := s.db.Conn()
	users, err := conn.Users(r.Context(), accountID, f)
	if err == nil && (f.After.ID != 0 && len(users) == 0 || f.Before.ID != 0 && len(users) <= usersPerPage) {
		f.After, f.Before = store.UserKey{}, store.UserKey{}
		users, err = conn.Users(r.Context(), accountID, f)
	}
	if err != nil {
		return l, err
	}
	counts, err := conn.CountUsers(r.Context(), accountID, portalID)
	if err != nil {
		return l, err
	}
	l.Total, l.WithMFA, l.Counted = counts.Matching(f.MFA), counts.CurrentWithMFA, counts.Current
	hasPrev, hasNext := f.After.ID != 0, len(users) > usersPerPage
	if f.Before.ID != 0 {
		users, hasPrev, hasNext = users[1:], true, true
	} else if hasNext {
		users = users[:usersPerPage]
	}
	l.Users = users
	if hasPrev {
		l.PrevURL = l.pageURL("before", users[0])
	}
	if hasNext {
		l.NextURL = l.pageURL("after", users[len(users)-1])
	}
	return l, nil
}

// pageURL links to the page just after or just before the user.
func (l *userList) pageURL(dir string, u *padlock.User) string {
	v := url.Values{dir: {strconv.FormatInt(u.ID, 10) + ":" + u.Email}}
	if l.MFA != "" {
		v.Set("mfa", l.MFA)
	}
	return l.ListURL + "?" + v.Encode()
}

// writeUsersCSV streams a users list with MFA status and set-up date,
// writing each row as it is read from the database.
func (s *Server) writeUsersCSV(w http.ResponseWriter, r *http.Request, filename string, accountID int64, f store.UserFilter) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"name", "email", "role", "status", "mfa", "mfa_set_up", "last_sign_in"})
	rows := 0
	err := s.db.Conn().EachUser(r.Context(), accountID, f, func(u *padlock.User) error {
		rows++
		return cw.Write(usersCSVRow(u))
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	switch {
	case err == nil || r.Context().Err() != nil:
	case rows == 0: // nothing has been sent: the error can still be a page
		h.Del("Content-Disposition")
		s.error(w, r, err)
	default: // the status is sent; all we can do is stop and say why
		s.logger.Error("users export", "account", accountID, "err", err)
	}
}

func usersCSVRow(u *padlock.User) []string {
	mfa, since := "not set up", ""
	if u.HasMFA() {
		mfa, since = "set up", u.MFASince.UTC().Format(time.RFC3339)
	}
	last := ""
	if !u.LastSignIn.IsZero() {
		last = u.LastSignIn.UTC().Format(time.RFC3339)
	}
	return csvSafe(u.Name, u.Email, u.Role.Label(), string(u.Status), mfa, since, last)
}
