package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Reminders to set up MFA: "Send reminder" on the page of a user without
// MFA, and "Remind all without MFA" on Account > Users and on a portal's
// users. Each returns to the page it came from with a notice that says what
// was sent and what was skipped.

// userRemind is "Send reminder" on a staff user's page.
func (s *Server) userRemind(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	u, err := s.admin.RemindUser(r.Context(), s.actor(r), id)
	s.reminded(w, r, "/account/users/"+strconv.FormatInt(id, 10), u, err)
}

// portalUserRemind is "Send reminder" on a portal user's page.
func (s *Server) portalUserRemind(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	var id int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	u, err := s.admin.RemindPortalUser(r.Context(), s.actor(r), portal.ID, id)
	s.reminded(w, r, portalURL(portal)+"/users/"+strconv.FormatInt(id, 10), u, err)
}

// reminded answers a "Send reminder": back to the user's page with a notice,
// or with the reason when the user needs no reminder or had one within a
// day. A user who is not there, or not the caller's to remind, gets the
// error page.
func (s *Server) reminded(w http.ResponseWriter, r *http.Request, back string, u *padlock.User, err error) {
	switch padlock.ErrorCode(err) {
	case "":
		s.setFlash(w, "1 reminder sent to "+u.Email+".")
	case padlock.ECONFLICT:
		s.setFlashError(w, padlock.ErrorMessage(err))
	default:
		s.error(w, r, err)
		return
	}
	redirect(w, r, back)
}

// usersRemindAll is "Remind all without MFA" on Account > Users.
func (s *Server) usersRemindAll(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	out, err := s.admin.RemindAll(r.Context(), s.actor(r), 0)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, remindedText(out))
	redirect(w, r, "/account/users")
}

// portalRemindAll is "Remind all without MFA" on a portal's users.
func (s *Server) portalRemindAll(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	out, err := s.admin.RemindAll(r.Context(), s.actor(r), portal.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, remindedText(out))
	redirect(w, r, portalURL(portal))
}

// remindedText says what a "Remind all" did: "2 reminders sent. 1 user
// skipped: reminded less than a day ago."
func remindedText(out admin.Reminded) string {
	if out == (admin.Reminded{}) {
		return "No one to remind: every active user has MFA set up. (Invited users are reminded by their invitation.)"
	}
	parts := []string{padlock.Count(out.Sent, "reminder", "reminders") + " sent."}
	if out.Recent > 0 {
		parts = append(parts, padlock.Count(out.Recent, "user", "users")+" skipped: reminded less than a day ago.")
	}
	if out.NotYours > 0 {
		parts = append(parts, padlock.Count(out.NotYours, "user", "users")+" not reminded: only an Administrator reminds Managers and Administrators.")
	}
	return strings.Join(parts, " ")
}

// chase is what a user's page shows of chasing them to set up MFA: their
// deadline, the last reminder and "Send reminder" when it applies.
type chase struct {
	Deadline     userDeadline
	LastReminder time.Time
	// RemindURL is where "Send reminder" posts; empty when the user needs
	// no reminder (they have what the list asks, or are not active) or the
	// caller may not send one.
	RemindURL string
}

// chaseOf reads the chase of u, under the requirement of their list.
func (s *Server) chaseOf(r *http.Request, u *padlock.User, of userListOf, mayRemind bool) (chase, error) {
	c := chase{Deadline: of.at(s.now()).DeadlineOf(u)}
	if !of.Requirement.Lacking(u) {
		return c, nil
	}
	var err error
	if c.LastReminder, err = s.db.Conn().LastReminder(r.Context(), u.ID); err != nil {
		return c, err
	}
	if mayRemind && u.Status == padlock.StatusActive {
		c.RemindURL = of.ListURL + "/" + strconv.FormatInt(u.ID, 10) + "/remind"
		if u.IsPortalUser() {
			c.RemindURL = of.ListURL + "/users/" + strconv.FormatInt(u.ID, 10) + "/remind"
		}
	}
	return c, nil
}
