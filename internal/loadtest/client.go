package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sessionCookie is the session cookie's name on a plain-HTTP base URL.
const sessionCookie = "padlock_session"

// Client is the harness's HTTP client: keep-alive connections, no cookie
// jar (each caller carries its own session token), no redirects followed,
// and the header a browser sends on a same-origin form.
type Client struct {
	Base string
	http *http.Client
}

// NewClient returns a client for base with room for conns idle connections.
func NewClient(base string, conns int) *Client {
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}
	return &Client{Base: strings.TrimSuffix(base, "/"), http: &http.Client{
		Transport:     tr,
		Timeout:       60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Close drops the idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Response is what the harness keeps of an answer.
type Response struct {
	Status   int
	Location string
	Session  string // the session cookie it set, if any
	Bytes    int64
}

// PostForm submits a form as a browser would, with the session token (if
// any), and reads the whole answer.
func (c *Client) PostForm(ctx context.Context, path string, form url.Values, session string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return Response{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req, session)
}

// Get fetches path with the session token (if any).
func (c *Client) Get(ctx context.Context, path, session string) (Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return Response{}, err
	}
	return c.do(req, session)
}

// Body fetches path with the session token and returns the whole body.
func (c *Client) Body(ctx context.Context, path, session string) ([]byte, error) {
	r, b, err := c.Fetch(ctx, path, session)
	if err == nil && r.Status != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", path, r.Status)
	}
	return b, err
}

// Fetch is Get that also returns the body, for a page whose links or rows
// the harness reads.
func (c *Client) Fetch(ctx context.Context, path, session string) (Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Base+path, nil)
	if err != nil {
		return Response{}, nil, err
	}
	var body bytes.Buffer
	r, err := c.send(req, session, &body)
	return r, body.Bytes(), err
}

// Put sends body to path with PUT and expects 204.
func (c *Client) Put(ctx context.Context, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.Base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &TransportError{err}
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("PUT %s: status %d", path, resp.StatusCode)
	}
	return nil
}

func (c *Client) do(req *http.Request, session string) (Response, error) {
	return c.send(req, session, io.Discard)
}

// send makes the request and copies the body into w.
func (c *Client) send(req *http.Request, session string, w io.Writer) (Response, error) {
	if session != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Response{}, &TransportError{err}
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return Response{}, &TransportError{err}
	}
	r := Response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Bytes: n}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.MaxAge >= 0 {
			r.Session = ck.Value
		}
	}
	return r, nil
}

// TransportError is a request that got no HTTP answer at all.
type TransportError struct{ Err error }

func (e *TransportError) Error() string { return "transport: " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsTransport reports whether err is a request that got no answer.
func IsTransport(err error) bool {
	var t *TransportError
	return errors.As(err, &t)
}

// statusError is an answer other than the one expected.
func statusError(step string, r Response, want int) error {
	return fmt.Errorf("%s: status %d (want %d), location %q", step, r.Status, want, r.Location)
}
