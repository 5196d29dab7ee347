package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// RateWindow is the window of an API key's rate limit; Options.APIRateLimit
// is how many requests a key may make in one.
const RateWindow = 5 * time.Minute

// DefaultAPIRateLimit is config.Default's requests per key per RateWindow.
const DefaultAPIRateLimit = 3000

// apiKeyOf reads the key of a request: the x-api-key header, which MSP
// tools already send, or Authorization: Bearer.
func apiKeyOf(r *http.Request) (string, bool) {
	if k := r.Header.Get("X-Api-Key"); k != "" {
		return strings.TrimSpace(k), true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(token), true
	}
	return "", false
}

// errReadOnlyKey refuses a change asked with a read-only key.
var errReadOnlyKey = padlock.Errorf(padlock.EREADONLYKEY, "This API key is read-only: make a read and write key to change anything.")

// guardAPIKey admits a request made with an API key: the key read from the
// database (revoked or expired keys are refused at once, on every node),
// the request counted against its limit, writes refused to a read-only
// key, and the route's permission checked against the key's principal.
func (s *Server) guardAPIKey(w http.ResponseWriter, r *http.Request, key string, a Access, h http.Handler) {
	c, use, err := s.auth.AuthenticateAPIKey(r.Context(), key, RateWindow)
	if err != nil {
		s.error(w, r, err)
		return
	}
	limit := int64(s.rateLimit())
	reset := int64(use.WindowStart.Add(RateWindow).Sub(s.now()) / time.Second)
	reset = max(reset, 1)
	hd := w.Header()
	hd.Set("RateLimit-Limit", strconv.FormatInt(limit, 10))
	hd.Set("RateLimit-Remaining", strconv.FormatInt(max(limit-use.Requests, 0), 10))
	hd.Set("RateLimit-Reset", strconv.FormatInt(reset, 10))
	hd.Set("RateLimit-Policy", strconv.FormatInt(limit, 10)+";w="+strconv.Itoa(int(RateWindow/time.Second)))
	if use.Requests > limit {
		hd.Set("Retry-After", strconv.FormatInt(reset, 10))
		s.error(w, r, padlock.Errorf(padlock.ERATELIMITED, "This API key made more than %d requests in %d minutes. Try again in %d seconds.", limit, int(RateWindow/time.Minute), reset))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !c.APIKey.CanWrite() {
		s.error(w, r, errReadOnlyKey)
		return
	}
	if a.perm != "" {
		if err := c.User.Role.Permit(a.perm); err != nil {
			s.error(w, r, err)
			return
		}
	}
	h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), currentKey{}, c)))
}

func (s *Server) rateLimit() int {
	if s.opts.APIRateLimit > 0 {
		return s.opts.APIRateLimit
	}
	return DefaultAPIRateLimit
}
