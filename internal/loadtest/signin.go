package loadtest

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Outcome classifies one sign-in attempt.
type Outcome int

const (
	Accepted  Outcome = iota // signed in (or, for a wrong password, refused as it should be)
	Refused                  // 503: the hash queue was full
	Failed                   // any other answer
	Transport                // no answer at all
)

// Attempt is one sign-in attempt as the client saw it.
type Attempt struct {
	Outcome  Outcome
	Total    time.Duration // every request of the attempt
	Password time.Duration // the password request alone
	Session  string        // the full session's token, after a sign-in
	Status   int           // the last answer's status, 0 without one
	Err      error
	// Slowest is the longest one request of the attempt waited, whatever
	// its answer; SlowestStep names that request and SlowestStatus is its
	// status, 0 for no answer.
	Slowest       time.Duration
	SlowestStep   string
	SlowestStatus int
}

// took notes how long one request, started at start, waited for r.
func (a *Attempt) took(step string, start time.Time, r Response) time.Duration {
	d := time.Since(start)
	if d > a.Slowest {
		a.Slowest, a.SlowestStep, a.SlowestStatus = d, step, r.Status
	}
	return d
}

// SignIn signs u in as a browser does: it fetches the sign-in form, posts
// the password, follows the redirect to the code form, posts the code of
// step, and loads the page the sign-in lands on. Each form answer must be
// a 303 with a new session cookie, and each page a 200.
func SignIn(ctx context.Context, c *Client, u *User, step int64) Attempt {
	start := time.Now()
	var a Attempt
	r, err := c.Get(ctx, "/login", "")
	a.took("sign-in form", start, r)
	if !a.judgePage(r, err, "sign-in form") {
		a.Total = time.Since(start)
		return a
	}
	pwd := time.Now()
	r, err = c.PostForm(ctx, "/login", url.Values{"email": {u.Email}, "password": {Password}}, "")
	a.Password = a.took("password", pwd, r)
	if a.judge(r, err, "password") {
		session := r.Session
		at := time.Now()
		r, err = c.Get(ctx, r.Location, session)
		a.took("code form", at, r)
		if a.judgePage(r, err, "code form") {
			at = time.Now()
			r, err = c.PostForm(ctx, "/login/mfa", url.Values{"code": {u.Code(step)}}, session)
			a.took("code", at, r)
			if a.judge(r, err, "code") {
				session = r.Session
				r, err = a.follow(ctx, c, r.Location, session)
				if a.judgePage(r, err, "signed-in page") {
					a.Session = session
				}
			}
		}
	}
	a.Total = time.Since(start)
	return a
}

// follow loads path as a browser does, following up to three redirects,
// each a request of the attempt.
func (a *Attempt) follow(ctx context.Context, c *Client, path, session string) (Response, error) {
	at := time.Now()
	r, err := c.Get(ctx, path, session)
	a.took("signed-in page", at, r)
	for hops := 0; err == nil && hops < 3 && (r.Status == http.StatusSeeOther || r.Status == http.StatusFound); hops++ {
		at = time.Now()
		r, err = c.Get(ctx, r.Location, session)
		a.took("signed-in page", at, r)
	}
	return r, err
}

// judgePage sets the outcome from a page load and reports whether the
// sign-in goes on: the page must answer 200.
func (a *Attempt) judgePage(r Response, err error, page string) bool {
	return a.judgeAs(r, err, page, http.StatusOK, r.Status == http.StatusOK)
}

// judge sets the outcome from a form's answer and reports whether the
// sign-in goes on: a 303 with a new session cookie.
func (a *Attempt) judge(r Response, err error, step string) bool {
	return a.judgeAs(r, err, step, http.StatusSeeOther, r.Status == http.StatusSeeOther && r.Session != "")
}

// judgeAs sets the outcome of one request whose answer was as wanted, or
// not: no answer, a refusal (503), or another answer than want.
func (a *Attempt) judgeAs(r Response, err error, step string, want int, wanted bool) bool {
	a.Status = r.Status
	switch {
	case err != nil:
		a.Outcome, a.Err = Transport, err
	case r.Status == http.StatusServiceUnavailable:
		a.Outcome = Refused
	case !wanted:
		a.Outcome, a.Err = Failed, statusError(step, r, want)
	default:
		return true
	}
	return false
}

// WrongPassword sends one refused sign-in: a known email with a wrong
// password, or an unknown email. The answer must be 401.
func WrongPassword(ctx context.Context, c *Client, email string) Attempt {
	start := time.Now()
	r, err := c.PostForm(ctx, "/login", url.Values{"email": {email}, "password": {"not-the-password-" + email}}, "")
	var a Attempt
	a.Total = a.took("wrong password", start, r)
	a.Password = a.Total
	switch {
	case err != nil:
		a.Outcome, a.Err = Transport, err
	case r.Status == http.StatusServiceUnavailable:
		a.Outcome = Refused
	case r.Status != http.StatusUnauthorized:
		a.Outcome, a.Err = Failed, statusError("wrong password", r, http.StatusUnauthorized)
	}
	return a
}

// count adds the attempt to a tally.
func (t *tally) count(a Attempt) {
	switch a.Outcome {
	case Accepted:
		t.ok.Add(1)
	case Refused:
		t.refused.Add(1)
	case Failed:
		t.failed.Add(1)
	case Transport:
		t.transport.Add(1)
	}
}
