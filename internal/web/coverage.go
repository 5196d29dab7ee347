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
	Rows  []coverageRow
	Pages pageLinks // the pages of portals
	Now   time.Time
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

// coverageRows are the staff's row, then one row for each of portals,
// with their counts.
func coverageRows(acct *padlock.Account, portals []store.PortalSummary, counts map[int64]store.UserCounts) []coverageRow {
	rows := []coverageRow{newCoverageRow("account", acct.Name, "/account/users", acct.MFARequiredAt, acct.MFAGraceDays, counts[0])}
	for i := range portals {
		p := &portals[i].Portal
		rows = append(rows, newCoverageRow("portal", p.Name, portalURL(p), p.MFARequiredAt, p.MFAGraceDays, counts[p.ID]))
	}
	return rows
}

// listsOf are the lists of the staff (0) and of portals, for CoverageOf.
func listsOf(portals []store.PortalSummary) []int64 {
	lists := make([]int64, 0, len(portals)+1)
	lists = append(lists, 0)
	for _, p := range portals {
		lists = append(lists, p.ID)
	}
	return lists
}

func newCoverageRow(kind, name, list string, requiredAt time.Time, grace int, c store.UserCounts) coverageRow {
	row := coverageRow{Kind: kind, Name: name, ListURL: list, Users: c.Current, WithMFA: c.CurrentWithMFA, WithPasskey: c.CurrentWithPasskey,
		Required: !requiredAt.IsZero(), RequiredAt: requiredAt, GraceDays: grace, GraceEnds: padlock.GraceEnds(requiredAt, grace)}
	if row.Required {
		row.Overdue = c.Overdue
	}
	return row
}

// coverage is Account > MFA coverage: the staff, then a page of portals in
// the order of Client portals (for whoever may manage portals), each page
// counting only its own lists.
func (s *Server) coverage(w http.ResponseWriter, r *http.Request) {
	p := coveragePage{Page: s.page(w, r, "MFA coverage", navCoverage), Now: s.now()}
	acct := p.Current.Account
	var (
		portals []store.PortalSummary
		err     error
	)
	if p.Current.User.Role.Can(padlock.PermManagePortals) {
		portals, p.Pages, err = s.portalsAt(r, acct.ID)
	}
	var counts map[int64]store.UserCounts
	if err == nil {
		counts, err = s.db.Conn().CoverageOf(r.Context(), acct.ID, s.now(), listsOf(portals))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Rows = coverageRows(acct, portals, counts)
	s.render(w, r, http.StatusOK, "coverage", p)
}

// coverageCSV is the coverage page as CSV, one row per list: every list.
func (s *Server) coverageCSV(w http.ResponseWriter, r *http.Request) {
	cur, conn := currentFrom(r.Context()), s.db.Conn()
	var (
		portals []store.PortalSummary
		err     error
	)
	if cur.User.Role.Can(padlock.PermManagePortals) {
		portals, err = conn.Portals(r.Context(), cur.Account.ID, store.PortalPage{})
	}
	var counts map[int64]store.UserCounts
	if err == nil {
		counts, err = conn.Coverage(r.Context(), cur.Account.ID, s.now())
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	rows := coverageRows(cur.Account, portals, counts)
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
