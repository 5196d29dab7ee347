package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Account > MFA coverage: who has MFA in the account's staff and in each of
// its client portals, with each one's requirement, grace and overdue users,
// at a glance and as CSV. The counts come from one aggregate query over an
// index; deactivated users are left out, as everywhere counts are shown.

type coveragePage struct {
	Page
	Rows []coverageRow
	Now  time.Time
}

// coverageRow is the coverage of one list: the staff, or one portal.
type coverageRow struct {
	Kind       string // "account" or "portal"
	Name       string
	ListURL    string // the users list
	Users      int
	WithMFA    int
	Required   bool
	RequiredAt time.Time
	GraceDays  int
	GraceEnds  time.Time // for the users who were there; zero without a requirement
	Overdue    int
	// WithPasskey counts the users with a phishing-resistant factor.
	WithPasskey int
}

// WithoutMFA counts the list's users who have not set up MFA.
func (c coverageRow) WithoutMFA() int { return c.Users - c.WithMFA }

// coverageRows reads the coverage of the caller's account: the staff first,
// then each portal by name (for whoever may manage portals).
func (s *Server) coverageRows(r *http.Request) ([]coverageRow, error) {
	cur := currentFrom(r.Context())
	acct := cur.Account
	conn := s.db.Conn()
	counts, err := conn.Coverage(r.Context(), acct.ID, s.now())
	if err != nil {
		return nil, err
	}
	rows := []coverageRow{newCoverageRow("account", acct.Name, "/account/users", acct.MFARequiredAt, acct.MFAGraceDays, counts[0])}
	if !cur.User.Role.Can(padlock.PermManagePortals) {
		return rows, nil
	}
	portals, err := conn.PortalsOf(r.Context(), acct.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range portals {
		rows = append(rows, newCoverageRow("portal", p.Name, portalURL(p), p.MFARequiredAt, p.MFAGraceDays, counts[p.ID]))
	}
	return rows, nil
}

func newCoverageRow(kind, name, list string, requiredAt time.Time, grace int, c store.UserCounts) coverageRow {
	row := coverageRow{Kind: kind, Name: name, ListURL: list, Users: c.Current, WithMFA: c.CurrentWithMFA, WithPasskey: c.CurrentWithPasskey,
		Required: !requiredAt.IsZero(), RequiredAt: requiredAt, GraceDays: grace, GraceEnds: padlock.GraceEnds(requiredAt, grace)}
	if row.Required {
		row.Overdue = c.Overdue
	}
	return row
}

// coverage is Account > MFA coverage.
func (s *Server) coverage(w http.ResponseWriter, r *http.Request) {
	p := coveragePage{Page: s.page(w, r, "MFA coverage", navCoverage), Now: s.now()}
	var err error
	if p.Rows, err = s.coverageRows(r); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "coverage", p)
}

// coverageCSV is the coverage page as CSV, one row per list.
func (s *Server) coverageCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := s.coverageRows(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="padlock-mfa-coverage.csv"`)
	h.Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"users_of", "name", "users", "with_mfa", "without_mfa", "mfa_required", "required_since", "grace_days", "grace_ends", "overdue", "with_passkey"})
	for _, c := range rows {
		required, grace, overdue := "no", "", ""
		if c.Required {
			required, grace, overdue = "yes", strconv.Itoa(c.GraceDays), strconv.Itoa(c.Overdue)
		}
		cw.Write(csvSafe(c.Kind, c.Name, strconv.Itoa(c.Users), strconv.Itoa(c.WithMFA), strconv.Itoa(c.WithoutMFA()),
			required, csvTime(c.RequiredAt), grace, csvTime(c.GraceEnds), overdue, strconv.Itoa(c.WithPasskey)))
	}
	cw.Flush()
}

// ListURLWith links to a users list filtered by MFA status, the overdue
// ones by deadline.
func (coveragePage) ListURLWith(list, mfa string) string {
	if mfa == string(store.MFAOverdue) {
		return list + "?mfa=overdue&sort=deadline"
	}
	return list + "?mfa=" + mfa
}
