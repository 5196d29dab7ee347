package web

import (
	"encoding/json"
	"html"
	"net/http"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// A node refusing work, because its hash queue is full (auth.ErrBusy) or it
// cannot reach its database, should spend next to nothing on saying so: the
// 503 is a short page written without the template engine, or the API's
// JSON error, and the answers to the messages such a node gives are written
// once, when the server starts. Refusals are logged once a second at most
// (refusalLog).

// retryAfter is the Retry-After of every 503, in seconds: soon enough
// for a database that restarts, not so soon that clients hammer it.
const retryAfter = "5"

// The header values of a written-once answer, shared by every answer:
// net/http only reads them.
var (
	retryAfterValue = []string{retryAfter}
	htmlValue       = []string{"text/html; charset=utf-8"}
	jsonValue       = []string{"application/json"}
	noStoreValue    = []string{"no-store"}
)

// unavailableKey names one written-once answer: the surface's prefix ("" for
// the API's JSON too), the message, and whether it is the JSON.
type unavailableKey struct {
	base, message string
	api           bool
}

// unavailableMessages are the messages whose answers are written once.
var unavailableMessages = []string{auth.ErrBusy.Message, padlock.ErrUnavailable.Message, schemaTooNewMessage}

// writeUnavailableAnswers writes the answers of unavailableMessages for both
// surfaces and the API.
func (s *Server) writeUnavailableAnswers() {
	s.unavailableAnswers = map[unavailableKey][]byte{}
	for _, m := range unavailableMessages {
		for _, base := range []string{padlock.SurfaceAccount.Prefix(), padlock.SurfacePortal.Prefix()} {
			s.unavailableAnswers[unavailableKey{base: base, message: m}] = []byte(s.unavailablePage(base, m))
		}
		s.unavailableAnswers[unavailableKey{message: m, api: true}] = unavailableJSON(m)
	}
}

// unavailable answers 503 with Retry-After: a short page that asks to come
// back, or for the API a JSON error with code "unavailable".
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, message string) {
	key := unavailableKey{message: message, api: isAPI(r)}
	if !key.api {
		key.base = surfaceOf(r).Prefix()
	}
	body, ok := s.unavailableAnswers[key]
	if !ok {
		if key.api {
			body = unavailableJSON(message)
		} else {
			body = []byte(s.unavailablePage(key.base, message))
		}
	}
	h := w.Header()
	h["Retry-After"], h["Cache-Control"], h["Content-Type"] = retryAfterValue, noStoreValue, htmlValue
	if key.api {
		h["Content-Type"] = jsonValue
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write(body)
}

// unavailableJSON is the API's error body for a 503 with message, as
// writeAPIError writes it.
func unavailableJSON(message string) []byte {
	b, _ := json.Marshal(map[string]apiError{"error": {Code: padlock.EUNAVAILABLE, Message: message, Fields: []apiFieldError{}}})
	return append(b, '\n')
}

// unavailablePage is the whole 503 page.
func (s *Server) unavailablePage(base, message string) string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Padlock is unavailable · Padlock</title>
<link rel="stylesheet" href="` + s.assets.URL("vendor/pico.min.css") + `">
<link rel="stylesheet" href="` + s.assets.URL("app.css") + `">
</head>
<body>
<main class="container">
<article>
 <h1>Padlock is unavailable</h1>
 <p>` + html.EscapeString(message) + `</p>
 <p><a href="` + html.EscapeString(base) + `/">Go to the start page</a></p>
</article>
</main>
</body>
</html>
`
}
