package web

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

const (
	activityPerPage  = 50
	activityCSVBatch = 1000
	activityDate     = "2006-01-02" // what <input type="date"> sends
)

type activityPage struct {
	Page
	Categories []padlock.Category
	// The filter as submitted, to refill the form and build links.
	Category, User, From, To string
	Rows                     []activityRow
	NewestURL, OlderURL      string // empty when there is no such page
	CSVURL                   string // "" on the portal, which has no export
	ListURL                  string // the page itself: the account's or the portal's
	// ShowPortal shows the Portal column: the account has portals, or a
	// row belongs to one that was deleted.
	ShowPortal bool
}

// activityRow is one event as the table and the CSV show it.
type activityRow struct {
	ID                int64
	Time, Event       string
	Actor, ActorEmail string
	// ActorAs is who a caller who was not signed in tried to be: the user
	// whose email they typed, or whose link they used.
	ActorAs             string
	Target, TargetEmail string
	Detail, Address     string
	Portal              string // the portal the event belongs to; "" for the account's own
}

// activity is Account > Activity: the account's audit log, filtered, 50
// events a page, newest first.
func (s *Server) activity(w http.ResponseWriter, r *http.Request) {
	p := s.activityPage(w, r)
	f, err := s.activityFilter(r, &p)
	if err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "activity", p)
		return
	}
	f.Limit = activityPerPage + 1
	entries, err := s.db.Conn().Activity(r.Context(), p.Current.User.AccountID, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if len(entries) > activityPerPage {
		entries = entries[:activityPerPage]
		p.OlderURL = p.ListURL + "?" + p.query(entries[len(entries)-1].ID)
	}
	if f.BeforeID != 0 {
		p.NewestURL = p.ListURL + "?" + p.query(0)
	}
	for _, e := range entries {
		row := newActivityRow(e)
		p.Rows = append(p.Rows, row)
		p.ShowPortal = p.ShowPortal || row.Portal != ""
	}
	if !p.ShowPortal && p.Current.Portal == nil {
		if p.ShowPortal, err = s.db.Conn().HasPortals(r.Context(), p.Current.User.AccountID); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "activity", p)
}

// activityCSV streams every event matching the page's filter as CSV, read
// from the database a batch at a time.
func (s *Server) activityCSV(w http.ResponseWriter, r *http.Request) {
	p := s.activityPage(w, r)
	f, err := s.activityFilter(r, &p)
	if err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "activity", p)
		return
	}
	f.BeforeID, f.Limit = 0, activityCSVBatch
	account := p.Current.User.AccountID
	batch, err := s.db.Conn().Activity(r.Context(), account, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := newCSVExport(w, "padlock-activity.csv")
	out.write([]string{"time", "event", "actor", "actor_email", "target", "target_email", "detail", "address", "portal"})
	var record [9]string // one record for every row
	for {
		for _, e := range batch {
			row := newActivityRow(e)
			record = [9]string{e.At.UTC().Format(time.RFC3339), row.Event, row.Actor, row.ActorEmail,
				row.Target, row.TargetEmail, row.Detail, row.Address, row.Portal}
			out.write(record[:])
		}
		if err := out.flush(); err != nil || len(batch) < activityCSVBatch {
			return // a write error means the client has gone
		}
		f.BeforeID = batch[len(batch)-1].ID
		if batch, err = s.db.Conn().Activity(r.Context(), account, f); err != nil {
			// The status is sent; all we can do is stop and say why.
			if r.Context().Err() == nil {
				s.logger.Error("activity export", "account", account, "err", err)
			}
			return
		}
	}
}

// activityPage is Account > Activity, or on the portal its administrator's
// Activity, which shows only the events attributed to their portal.
func (s *Server) activityPage(w http.ResponseWriter, r *http.Request) activityPage {
	p := activityPage{Page: s.page(w, r, "Activity", navActivity), Categories: padlock.EventCategories, ListURL: "/account/activity"}
	if p.Current.Portal != nil {
		p.Nav, p.ListURL = navClientActivity, "/portal/activity"
	}
	return p
}

// activityFilter reads the filter from the query string into p and returns
// it; every malformed value is a field error.
func (s *Server) activityFilter(r *http.Request, p *activityPage) (store.ActivityFilter, error) {
	q := r.URL.Query()
	p.Category, p.User = q.Get("category"), strings.TrimSpace(q.Get("user"))
	p.From, p.To = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to"))
	var (
		f    store.ActivityFilter
		errs = padlock.FieldErrors{}
	)
	if portal := p.Current.Portal; portal != nil {
		f.PortalID = portal.ID
	} else {
		p.CSVURL = "/account/activity.csv?" + p.query(0)
	}
	if p.Category != "" {
		if f.Kinds = padlock.KindsOf(p.Category); f.Kinds == nil {
			errs.Add("category", "Choose a category from the list.")
		}
	}
	f.From = parseActivityDate(&errs, "from", p.From)
	f.To = parseActivityDate(&errs, "to", p.To)
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs.Add("to", "The end date is before the start date.")
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			errs.Add("before", "This page link is not valid; start again from the newest events.")
		}
		f.BeforeID = id
	}
	if p.User != "" {
		id, err := s.activityUser(r, p.User)
		if err != nil && padlock.ErrorCode(err) != padlock.EINVALID {
			return f, err
		} else if err != nil {
			errs.Add("user", padlock.ErrorMessage(err))
		}
		f.UserID = id
	}
	return f, errs.Err()
}

func parseActivityDate(errs *padlock.FieldErrors, field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(activityDate, v)
	if err != nil {
		errs.Add(field, "Enter a date like 2025-01-31.")
	}
	return t
}

// activityUser finds the user of the caller's account with the email. A user
// of another account, or for a portal's administrator anyone but a user of
// their portal, is as unknown as no user at all.
func (s *Server) activityUser(r *http.Request, email string) (int64, error) {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return 0, padlock.FieldError("user", padlock.ErrorMessage(err))
	}
	c, err := s.db.Conn().CredentialsByEmail(r.Context(), email)
	me := currentFrom(r.Context()).User
	if padlock.ErrorCode(err) == padlock.ENOTFOUND || err == nil && (c.User.AccountID != me.AccountID || me.IsPortalUser() && c.User.PortalID != me.PortalID) {
		return 0, padlock.FieldError("user", "No user of this account has this email address.")
	}
	if err != nil {
		return 0, err
	}
	return c.User.ID, nil
}

// query is the filter as a query string, with a page key when before is set.
func (p *activityPage) query(before int64) string {
	v := url.Values{}
	for k, x := range map[string]string{"category": p.Category, "user": p.User, "from": p.From, "to": p.To} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if before != 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	return v.Encode()
}

// An event without an actor was caused by someone who was not signed in (a
// sign-in attempt, a rejected code, a link from an email) or by the
// server's operator on the command line.
const (
	actorNotSignedIn = "Not signed in"
	actorCommandLine = "Command line"
)

func newActivityRow(e store.ActivityEntry) activityRow {
	actorNone := actorNotSignedIn
	if e.Address == "command line" {
		actorNone = actorCommandLine
	}
	row := activityRow{ID: e.ID, Time: e.At.UTC().Format("2006-01-02 15:04:05"), Event: padlock.EventLabel(e.Kind),
		Detail: e.Detail, Address: e.Address, ActorEmail: e.ActorEmail, TargetEmail: e.TargetEmail}
	if e.ActorLabel != "" {
		actorNone = e.ActorLabel
	}
	row.Actor = personName(e.ActorID, e.ActorName, e.ActorEmail, actorNone)
	row.Target = personName(e.TargetID, e.TargetName, e.TargetEmail, "")
	if e.ActorID == 0 && actorNone == actorNotSignedIn && e.TargetID != 0 {
		row.ActorAs = cmp.Or(e.TargetEmail, row.Target)
	}
	switch {
	case e.PortalName != "":
		row.Portal = e.PortalName
	case e.PortalID != 0:
		row.Portal = "Deleted portal #" + strconv.FormatInt(e.PortalID, 10)
	}
	return row
}

// personName is how an event's actor or target reads: their name, their
// email if they have no name, none for ID 0, and a note for a user who no
// longer exists.
func personName(id int64, name, email, none string) string {
	switch {
	case id == 0:
		return none
	case name != "":
		return name
	case email != "":
		return email
	}
	return "Deleted user #" + strconv.FormatInt(id, 10)
}

// csvSafe neutralises cells a spreadsheet would run as a formula, by
// prefixing a quote (OWASP's advice for CSV injection).
func csvSafe(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
