package web

import (
	"net/http"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// apiEvent is one event of Account > Activity.
type apiEvent struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	Kind        string    `json:"kind"`
	Event       string    `json:"event"`
	Actor       string    `json:"actor"`
	ActorEmail  string    `json:"actor_email"`
	Target      string    `json:"target"`
	TargetEmail string    `json:"target_email"`
	Detail      string    `json:"detail"`
	Address     string    `json:"address"`
	PortalID    *int64    `json:"portal_id"`
	Portal      string    `json:"portal"`
}

// activityCursor is what the activity feed's cursor holds: the last event
// read.
type activityCursor struct {
	After int64 `json:"a"`
}

// apiActivity is Account > Activity as a feed, oldest first, for a SIEM:
// each page ends with a cursor that asks for the events after it, so a
// poll picks up exactly where the last one stopped. Filters: category,
// from and to (UTC days, as the screen).
func (s *Server) apiActivity(w http.ResponseWriter, r *http.Request) {
	f, err := activityQuery(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	entries, err := s.db.Conn().Activity(r.Context(), currentFrom(r.Context()).Account.ID, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	more := len(entries) == f.Limit // one more than a page was asked for
	if more {
		entries = entries[:f.Limit-1]
	}
	out := make([]apiEvent, 0, len(entries))
	for _, e := range entries {
		out = append(out, toAPIEvent(e))
	}
	// The cursor moves to the last event read, or stays: a feed polls with
	// it even after the last page.
	last := f.AfterID
	if len(entries) > 0 {
		last = entries[len(entries)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out, "next_cursor": encodeCursor(activityCursor{After: last}), "more": more})
}

func activityQuery(r *http.Request) (store.ActivityFilter, error) {
	q, err := apiQuery(r, "category", "from", "to", "limit", "cursor")
	if err != nil {
		return store.ActivityFilter{}, err
	}
	var fe padlock.FieldErrors
	f := store.ActivityFilter{Forward: true}
	if c := q.Get("category"); c != "" {
		if f.Kinds = padlock.KindsOf(c); f.Kinds == nil {
			fe.Add("category", "Not a category of Activity.")
		}
	}
	for name, at := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				fe.Add(name, "Must be a day, like 2026-01-31.")
			}
			*at = t
		}
	}
	n, err := pageSize(q)
	if err != nil {
		fe.Add("limit", padlock.ErrorMessage(err))
	}
	f.Limit = n + 1
	if v := q.Get("cursor"); v != "" {
		var c activityCursor
		if err := decodeCursor(v, &c); err != nil || c.After < 0 {
			fe.Add("cursor", errBadCursor.Message)
		}
		f.AfterID = c.After
	}
	return f, fe.Err()
}

func toAPIEvent(e store.ActivityEntry) apiEvent {
	row := newActivityRow(e)
	out := apiEvent{ID: e.ID, Time: e.At.UTC(), Kind: e.Kind, Event: row.Event, Actor: row.Actor, ActorEmail: e.ActorEmail,
		Target: row.Target, TargetEmail: e.TargetEmail, Detail: e.Detail, Address: e.Address, Portal: row.Portal}
	if e.PortalID != 0 {
		id := e.PortalID
		out.PortalID = &id
	}
	return out
}
