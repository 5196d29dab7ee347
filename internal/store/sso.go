package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// SSORecord is a tenant's SSO settings with its service provider's key
// pair. The private key is stored sealed; this package never sees it open.
type SSORecord struct {
	padlock.SSOConfig
	SPCertificate string // PEM
	SPKeySealed   []byte
}

const ssoColumns = `account_id, COALESCE(portal_id, 0), public_id, enabled, idp_entity_id, idp_sso_url, idp_certificates, idp_metadata_url, idp_metadata_xml,
	sp_certificate, sp_key, accept_idp_mfa, mfa_contexts, allow_idp_initiated, jit, jit_role, enforce, last_test_at, updated_at,
	phishing_resistant_contexts`

func scanSSO(row interface{ Scan(...any) error }) (*SSORecord, error) {
	var (
		r                      SSORecord
		contexts, role, strong string
		tested, updated        int64
	)
	err := row.Scan(&r.AccountID, &r.PortalID, &r.PublicID, &r.Enabled, &r.IDPEntityID, &r.IDPSSOURL, &r.IDPCertificates, &r.IDPMetadataURL, &r.IDPMetadataXML,
		&r.SPCertificate, &r.SPKeySealed, &r.AcceptIDPMFA, &contexts, &r.AllowIDPInitiated, &r.JIT, &role, &r.Enforce, &tested, &updated, &strong)
	if err != nil {
		return nil, notFound(err)
	}
	r.MFAContexts, r.PhishingResistantContexts, r.JITRole = splitLines(contexts), splitLines(strong), padlock.Role(role)
	r.LastTestAt, r.UpdatedAt = unixOrZero(tested), time.Unix(updated, 0)
	return &r, nil
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// CreateSSOConfig stores a tenant's first, disabled SSO settings with its
// service provider's identity. A tenant that already has them keeps theirs
// (two admins opening the page at once make one). The caller has checked
// that a portal is the account's.
func (q *Queries) CreateSSOConfig(ctx context.Context, r *SSORecord, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO sso_configs (account_id, portal_id, public_id, sp_certificate, sp_key, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
		r.AccountID, nullID(r.PortalID), r.PublicID, r.SPCertificate, r.SPKeySealed, now.Unix())
	return err
}

// nullID stores an absent id (0) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// SSOConfig returns a tenant's SSO settings, with its domains and
// break-glass users.
func (q *Queries) SSOConfig(ctx context.Context, t padlock.SSOTenant) (*SSORecord, error) {
	r, err := scanSSO(q.sql.QueryRowContext(ctx, `SELECT `+ssoColumns+` FROM sso_configs
		WHERE account_id = $1 AND COALESCE(portal_id, 0) = $2`, t.AccountID, t.PortalID))
	if err != nil {
		return nil, err
	}
	return r, q.ssoLists(ctx, r)
}

// SSOConfigByPublicID returns the SSO settings named in an SSO address.
// An ID that is not one line of text names nothing: PostgreSQL would refuse
// the query where SQLite finds no row.
func (q *Queries) SSOConfigByPublicID(ctx context.Context, publicID string) (*SSORecord, error) {
	if padlock.CheckText("id", publicID, padlock.SingleLine, 0) != nil {
		return nil, errNotFound
	}
	r, err := scanSSO(q.sql.QueryRowContext(ctx, `SELECT `+ssoColumns+` FROM sso_configs WHERE public_id = $1`, publicID))
	if err != nil {
		return nil, err
	}
	return r, q.ssoLists(ctx, r)
}

// ssoLists reads the domains (the account's only) and the break-glass
// users, who are the tenant's own users.
func (q *Queries) ssoLists(ctx context.Context, r *SSORecord) error {
	var err error
	if r.PortalID == 0 {
		if r.Domains, err = queryList[string](ctx, q, `SELECT domain FROM sso_domains WHERE account_id = $1 ORDER BY domain`, r.AccountID); err != nil {
			return err
		}
	}
	r.BreakGlass, err = queryList[int64](ctx, q, `SELECT b.user_id FROM sso_break_glass b JOIN users u ON u.id = b.user_id
		WHERE b.account_id = $1 AND COALESCE(u.portal_id, 0) = $2 ORDER BY b.user_id`, r.AccountID, r.PortalID)
	return err
}

func queryList[T any](ctx context.Context, q *Queries, query string, args ...any) ([]T, error) {
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SaveSSOIDP stores how to reach and trust the tenant's identity provider.
// A new connection has not been tested: the last test is forgotten.
func (q *Queries) SaveSSOIDP(ctx context.Context, c *padlock.SSOConfig, now time.Time) error {
	return q.execOne(ctx, `UPDATE sso_configs SET idp_entity_id = $3, idp_sso_url = $4, idp_certificates = $5,
		idp_metadata_url = $6, idp_metadata_xml = $7, last_test_at = 0, updated_at = $8 WHERE account_id = $1 AND COALESCE(portal_id, 0) = $2`,
		c.AccountID, c.PortalID, c.IDPEntityID, c.IDPSSOURL, c.IDPCertificates, c.IDPMetadataURL, c.IDPMetadataXML, now.Unix())
}

// SaveSSOOptions stores everything but the IdP connection: the switches,
// the domains (the account's only) and the break-glass users. A domain
// another account uses is an ECONFLICT error on the domains field.
func (q *Queries) SaveSSOOptions(ctx context.Context, c *padlock.SSOConfig, now time.Time) error {
	err := q.execOne(ctx, `UPDATE sso_configs SET enabled = $3, accept_idp_mfa = $4, mfa_contexts = $5, allow_idp_initiated = $6,
		jit = $7, jit_role = $8, enforce = $9, updated_at = $10, phishing_resistant_contexts = $11 WHERE account_id = $1 AND COALESCE(portal_id, 0) = $2`,
		c.AccountID, c.PortalID, c.Enabled, c.AcceptIDPMFA, strings.Join(c.MFAContexts, "\n"), c.AllowIDPInitiated,
		c.JIT, string(c.JITRole), c.Enforce, now.Unix(), strings.Join(c.PhishingResistantContexts, "\n"))
	if err != nil {
		return err
	}
	if c.PortalID == 0 {
		if err := q.replaceSSODomains(ctx, c.AccountID, c.Domains); err != nil {
			return err
		}
	}
	return q.replaceBreakGlass(ctx, c.Tenant(), c.BreakGlass)
}

// DomainTakenMessage is the answer when another account has listed a
// domain: it names no account.
func DomainTakenMessage(domain string) string {
	return domain + " is in use by another Padlock account."
}

func (q *Queries) replaceSSODomains(ctx context.Context, accountID int64, domains []string) error {
	if _, err := q.exec(ctx, `DELETE FROM sso_domains WHERE account_id = $1`, accountID); err != nil {
		return err
	}
	for _, d := range domains {
		n, err := q.exec(ctx, `INSERT INTO sso_domains (domain, account_id) VALUES ($1, $2) ON CONFLICT (domain) DO NOTHING`, d, accountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return padlock.FieldError("domains", DomainTakenMessage(d)).WithCode(padlock.ECONFLICT)
		}
	}
	return nil
}

// replaceBreakGlass replaces the tenant's break-glass users; the account's
// and each portal's lists are apart, as their users are.
func (q *Queries) replaceBreakGlass(ctx context.Context, t padlock.SSOTenant, userIDs []int64) error {
	if _, err := q.exec(ctx, `DELETE FROM sso_break_glass WHERE account_id = $1
		AND user_id IN (SELECT id FROM users WHERE account_id = $1 AND COALESCE(portal_id, 0) = $2)`, t.AccountID, t.PortalID); err != nil {
		return err
	}
	for _, id := range userIDs {
		// The user must be one of the tenant's own.
		err := q.execOne(ctx, `INSERT INTO sso_break_glass (account_id, user_id)
			SELECT account_id, id FROM users WHERE account_id = $1 AND id = $2 AND COALESCE(portal_id, 0) = $3`, t.AccountID, id, t.PortalID)
		if err != nil {
			return err
		}
	}
	return nil
}

// RecordSSOTest notes a successful "Test connection" of a tenant's IdP.
func (q *Queries) RecordSSOTest(ctx context.Context, t padlock.SSOTenant, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE sso_configs SET last_test_at = $3 WHERE account_id = $1 AND COALESCE(portal_id, 0) = $2`,
		t.AccountID, t.PortalID, at.Unix())
	return err
}

// SSOPublicIDByDomain returns the SSO address of the account that signs in
// the email domain, if the account's SSO is on.
func (q *Queries) SSOPublicIDByDomain(ctx context.Context, domain string) (string, error) {
	var id string
	err := q.sql.QueryRowContext(ctx, `SELECT c.public_id FROM sso_domains d JOIN sso_configs c ON c.account_id = d.account_id
		WHERE d.domain = $1 AND c.portal_id IS NULL AND c.enabled = TRUE`, domain).Scan(&id)
	return id, notFound(err)
}

// PortalSSOAddress returns the SSO address of a portal of the account
// while its SSO is on, and "" otherwise.
func (q *Queries) PortalSSOAddress(ctx context.Context, accountID, portalID int64) (string, error) {
	var id string
	err := q.sql.QueryRowContext(ctx, `SELECT public_id FROM sso_configs
		WHERE account_id = $1 AND portal_id = $2 AND enabled = TRUE`, accountID, portalID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// SSORequest is an AuthnRequest this server sent for a tenant, waiting for
// its answer.
type SSORequest struct {
	AccountID   int64
	PortalID    int64  // 0 for the account's own
	RelayHash   []byte // hash of the RelayState naming it
	BindingHash []byte // hash of the cookie of the browser that started it
	RequestID   string // the AuthnRequest's ID, which the answer must name
	Purpose     string
	UserID      int64  // who runs a connection test; 0 for a sign-in
	Client      string // who started a sign-in: an address, or an IPv6 /64
	Next        string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// CreateSSORequest remembers an AuthnRequest (the sweeper forgets those
// never answered, and an expired one is never taken). Its client may hold
// only max unexpired requests: beyond that it saves nothing and returns
// when the earliest expires. Run it in a transaction (see roomForSignIn). max 0
// neither holds the request to a cap nor counts it for one, as for an
// Administrator's connection test: it is stored with no client.
func (q *Queries) CreateSSORequest(ctx context.Context, r *SSORequest, max int) (full time.Time, err error) {
	client := ""
	if max > 0 {
		client = r.Client
		if full, err := q.roomForSignIn(ctx, ssoSignInRequests, client, r.ExpiresAt, max, r.CreatedAt); err != nil || !full.IsZero() {
			return full, err
		}
	}
	_, err = q.exec(ctx, `INSERT INTO sso_requests (account_id, portal_id, relay_hash, binding_hash, request_id, purpose, user_id, client, next, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.AccountID, nullID(r.PortalID), r.RelayHash, r.BindingHash, r.RequestID, r.Purpose, r.UserID, client, r.Next, r.CreatedAt.Unix(), r.ExpiresAt.Unix())
	return time.Time{}, err
}

// TakeSSORequest removes and returns the tenant's live request named by
// the RelayState's hash. Deleting it in the same statement means one
// answer, on whichever node, uses it up; another tenant's request is left
// alone.
func (q *Queries) TakeSSORequest(ctx context.Context, t padlock.SSOTenant, relayHash []byte, now time.Time) (*SSORequest, error) {
	var (
		r        SSORequest
		cre, exp int64
	)
	err := q.sql.QueryRowContext(ctx, `DELETE FROM sso_requests WHERE account_id = $1 AND COALESCE(portal_id, 0) = $2 AND relay_hash = $3
		RETURNING account_id, COALESCE(portal_id, 0), relay_hash, binding_hash, request_id, purpose, user_id, next, created_at, expires_at`,
		t.AccountID, t.PortalID, relayHash).
		Scan(&r.AccountID, &r.PortalID, &r.RelayHash, &r.BindingHash, &r.RequestID, &r.Purpose, &r.UserID, &r.Next, &cre, &exp)
	if err != nil {
		return nil, notFound(err)
	}
	r.CreatedAt, r.ExpiresAt = time.Unix(cre, 0), time.Unix(exp, 0)
	if !now.Before(r.ExpiresAt) {
		return nil, errNotFound
	}
	return &r, nil
}

// ErrAssertionUsed means an assertion ID was already accepted.
var ErrAssertionUsed = errors.New("store: assertion already used")

// ConsumeSSOAssertion records an accepted assertion's ID until it expires.
// The primary key makes the insert the check: of two nodes racing with the
// same assertion, one inserts nothing and gets ErrAssertionUsed.
func (q *Queries) ConsumeSSOAssertion(ctx context.Context, accountID int64, assertionID string, expires, now time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM sso_assertions WHERE account_id = $1 AND expires_at < $2`, accountID, now.Unix()); err != nil {
		return err
	}
	n, err := q.exec(ctx, `INSERT INTO sso_assertions (account_id, assertion_id, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, assertion_id) DO NOTHING`, accountID, assertionID, expires.Unix())
	if err == nil && n == 0 {
		return ErrAssertionUsed
	}
	return err
}

// MarkSSOSession records that a session's MFA was performed at the
// identity provider, with the context it reported.
func (q *Queries) MarkSSOSession(ctx context.Context, sessionID, accountID int64, classRef string) error {
	_, err := q.exec(ctx, `INSERT INTO sso_sessions (session_id, account_id, authn_context) VALUES ($1, $2, $3)`, sessionID, accountID, classRef)
	return err
}

// SSOSessionContext returns the authentication context of a session whose
// MFA was performed at the identity provider; "not found" for any other.
func (q *Queries) SSOSessionContext(ctx context.Context, sessionID int64) (string, error) {
	var classRef string
	err := q.sql.QueryRowContext(ctx, `SELECT authn_context FROM sso_sessions WHERE session_id = $1`, sessionID).Scan(&classRef)
	return classRef, notFound(err)
}

// CountSignedInStaffAtDomain counts the account's active staff whose email
// is at domain and who have signed in at least once: an address that was
// only invited proves nothing about who owns the domain. The caller has
// checked that domain is a plain domain name (no LIKE wildcards).
func (q *Queries) CountSignedInStaffAtDomain(ctx context.Context, accountID int64, domain string) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE account_id = $1 AND portal_id IS NULL
		AND status = $3 AND last_sign_in_at <> 0 AND email LIKE $2`,
		accountID, "%@"+domain, string(padlock.StatusActive)).Scan(&n)
	return n, err
}

// SSODomainTakenByOther tells whether another account has listed domain
// for single sign-on.
func (q *Queries) SSODomainTakenByOther(ctx context.Context, accountID int64, domain string) (bool, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_domains WHERE domain = $1 AND account_id <> $2`, domain, accountID).Scan(&n)
	return n > 0, err
}

// SSOByEmailOffered tells whether any account has its SSO on for an email
// domain: only then can "Sign in with SSO" on the account's sign-in page
// lead anywhere.
func (q *Queries) SSOByEmailOffered(ctx context.Context) (bool, error) {
	var offered bool
	err := q.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sso_configs c WHERE c.enabled = TRUE AND c.portal_id IS NULL
		AND EXISTS (SELECT 1 FROM sso_domains d WHERE d.account_id = c.account_id))`).Scan(&offered)
	return offered, err
}
