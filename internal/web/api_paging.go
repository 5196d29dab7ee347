package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// API lists page by key: a page ends with next_cursor, an opaque string
// that asks for the page after it (null on the last page). A cursor holds
// the list's order and the last key, so each page costs the same however
// deep it is, and rows added meanwhile neither repeat nor go missing.

const (
	defaultPageSize = 100
	maxPageSize     = 500
)

// userCursor is what a users list's cursor holds.
type userCursor struct {
	Sort     store.UserSort `json:"s"`
	Email    string         `json:"e,omitempty"`
	Deadline int64          `json:"d,omitempty"`
	ID       int64          `json:"i"`
}

// encodeCursor writes a cursor. Characters are written as they are (no
// HTML escapes), so the longest key Padlock holds (a title of 200
// characters of up to four bytes) stays within what decodeCursor reads.
func encodeCursor(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

var errBadCursor = padlock.FieldError("cursor", "This cursor is not one Padlock gave: start again without it.")

func decodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 {
		return errBadCursor
	}
	// A NUL character is no part of any cursor Padlock gives, and
	// PostgreSQL's text cannot hold one: refused here, not answered 500.
	var decoded any
	if err := json.Unmarshal(b, &decoded); err != nil || hasNUL(decoded) {
		return errBadCursor
	}
	// A cursor of another list (other fields) is not this list's.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadCursor
	}
	return nil
}

// hasNUL tells whether a decoded JSON value holds a NUL character in any
// of its strings or keys.
func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, 0)
	case []any:
		return slices.ContainsFunc(x, hasNUL)
	case map[string]any:
		for k, e := range x {
			if hasNUL(k) || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// apiQuery reads the query string, refusing one that cannot be read and
// parameters the endpoint does not know, so a misspelt filter is an error
// rather than a list that ignores it.
func apiQuery(r *http.Request, known ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, padlock.Errorf(padlock.EBADREQUEST, "The query string cannot be read.")
	}
	return q, checkQuery(q, known...)
}

func checkQuery(q url.Values, known ...string) error {
	var fe padlock.FieldErrors
	for name := range q {
		if !slices.Contains(known, name) {
			fe.Add(name, "Unknown parameter.")
		}
	}
	return fe.Err()
}

// pageSize reads ?limit: 1 to maxPageSize, defaultPageSize without one.
func pageSize(q url.Values) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, padlock.FieldError("limit", "Must be a whole number from 1 to "+strconv.Itoa(maxPageSize)+".")
	}
	return n, nil
}

// pageQuery reads the ?limit and ?cursor (into cursor) of a list that has
// no filters, refusing any other parameter.
func pageQuery(r *http.Request, cursor any) (int, error) {
	q, err := apiQuery(r, "limit", "cursor")
	if err != nil {
		return 0, err
	}
	n, err := pageSize(q)
	if err != nil {
		return 0, err
	}
	if v := q.Get("cursor"); v != "" {
		if err := decodeCursor(v, cursor); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// oneOf reads a query parameter that must be one of the values, or empty.
func oneOf(q url.Values, name string, fe *padlock.FieldErrors, values ...string) string {
	v := q.Get(name)
	if v != "" && !slices.Contains(values, v) {
		fe.Add(name, "Must be one of: "+strings.Join(values, ", ")+".")
	}
	return v
}

// userListQuery reads a users list's filters, order, page size and cursor.
func userListQuery(r *http.Request, roles []padlock.Role) (store.UserFilter, error) {
	q, err := apiQuery(r, "mfa", "role", "status", "factor", "sort", "limit", "cursor")
	if err != nil {
		return store.UserFilter{}, err
	}
	var fe padlock.FieldErrors
	roleNames := make([]string, len(roles))
	for i, x := range roles {
		roleNames[i] = string(x)
	}
	f := store.UserFilter{
		MFA:    store.MFAFilter(oneOf(q, "mfa", &fe, string(store.MFASetUp), string(store.MFANotSet), string(store.MFAOverdue))),
		Role:   padlock.Role(oneOf(q, "role", &fe, roleNames...)),
		Status: padlock.UserStatus(oneOf(q, "status", &fe, string(padlock.StatusInvited), string(padlock.StatusActive), string(padlock.StatusDeactivated))),
		Factor: oneOf(q, "factor", &fe, store.FactorTOTP, store.FactorPasskey),
		Sort:   store.UserSort(oneOf(q, "sort", &fe, "email", string(store.SortDeadline))),
	}
	if f.Sort == "email" {
		f.Sort = store.SortEmail
	}
	n, err := pageSize(q)
	if err != nil {
		fe.Add("limit", padlock.ErrorMessage(err))
	}
	f.Limit = n + 1 // one more tells whether a next page exists
	if v := q.Get("cursor"); v != "" {
		var c userCursor
		if err := decodeCursor(v, &c); err != nil || c.Sort != f.Sort || c.ID <= 0 {
			fe.Add("cursor", errBadCursor.Message)
		}
		f.After = store.UserKey{Email: c.Email, Deadline: c.Deadline, ID: c.ID}
	}
	return f, fe.Err()
}

// pageOfUsers cuts the extra user a list read and returns the cursor of the
// next page, "" on the last one.
func pageOfUsers(f store.UserFilter, users []*padlock.User) ([]*padlock.User, string) {
	if len(users) < f.Limit {
		return users, ""
	}
	users = users[:f.Limit-1]
	k := f.Sort.KeyOf(users[len(users)-1])
	return users, encodeCursor(userCursor{Sort: f.Sort, Email: k.Email, Deadline: k.Deadline, ID: k.ID})
}

// apiList is the shape of every list: its items under their name and the
// cursor of the next page.
func apiList(name string, items any, next string) map[string]any {
	var cursor any
	if next != "" {
		cursor = next
	}
	return map[string]any{name: items, "next_cursor": cursor}
}
