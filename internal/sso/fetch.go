package sso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// fetchTimeout bounds the whole fetch of an IdP's metadata, redirects
// included: the administrator is waiting for the page.
const fetchTimeout = 10 * time.Second

// checkMetadataURL accepts an absolute http or https URL; its error is
// shown beside the metadata_url field.
func checkMetadataURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, padlock.FieldError("metadata_url", "Enter an http:// or https:// address.")
	}
	if u.User != nil {
		return nil, padlock.FieldError("metadata_url", "Leave the user name and password out of the address.")
	}
	return u, nil
}

// fetchMetadata downloads an IdP's metadata: http or https only, a few
// redirects, a time limit and a size limit. Unless the service allows it,
// addresses inside the server's own network are refused at connection time
// (after DNS, so a name pointing inward is refused too).
func (s *Service) fetchMetadata(ctx context.Context, u *url.URL) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	dialer := &net.Dialer{Timeout: fetchTimeout, Control: s.dialControl}
	client := &http.Client{
		Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: fetchTimeout, Proxy: nil},
		CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if r.URL.Scheme != "https" && r.URL.Scheme != "http" {
				return errors.New("redirected to a non-web address")
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the address could not be reached (%s)", fetchProblem(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the address answered %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataSize+1))
	if err != nil {
		return nil, fmt.Errorf("the metadata could not be read (%s)", fetchProblem(err))
	}
	if len(body) > maxMetadataSize {
		return nil, errors.New("the metadata at this address is too large")
	}
	return body, nil
}

var errPrivateAddress = errors.New("the address is inside the server's network")

// dialControl refuses loopback, private, link-local (cloud metadata
// services live there) and unspecified addresses.
func (s *Service) dialControl(network, address string, _ syscall.RawConn) error {
	if s.AllowPrivateMetadataHosts {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return errPrivateAddress
	}
	return nil
}

// fetchProblem names a fetch failure without echoing anything the remote
// side sent.
func fetchProblem(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, errPrivateAddress):
		return errPrivateAddress.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "no answer within 10 seconds"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "unknown host"
	}
	return "connection failed"
}
