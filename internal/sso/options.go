package sso

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// OptionsInput is the "Sign-in options" form; lists are as typed.
type OptionsInput struct {
	Enabled      bool
	AcceptIDPMFA bool
	MFAContexts  string
	// StrongContexts are the accepted contexts that also count as
	// phishing-resistant MFA.
	StrongContexts    string
	AllowIDPInitiated bool
	JIT               bool
	JITRole           string
	Enforce           bool
	BreakGlass        string // emails
	Domains           string // the account's only; a portal has none
}

// Limits of the lists.
const (
	maxListItems   = 20
	maxClassRefLen = 256
)

// SaveOptions stores the switches of the SSO of the account (portalID 0) or
// of one of its portals. Enforcing SSO needs SSO on and a successful
// connection test since the IdP last changed; the account's also needs an
// Administrator among the break-glass users, so a broken IdP cannot lock
// the account out. A portal needs none: the account's Administrators, who
// do not sign in there, can always turn its enforcement off.
func (s *Service) SaveOptions(ctx context.Context, actor auth.Actor, portalID int64, in OptionsInput) error {
	first, err := s.Settings(ctx, actor, portalID)
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Queries) error {
		if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
			return err
		}
		rec, err := tx.SSOConfig(ctx, first.Tenant())
		if err != nil {
			return err
		}
		c, err := s.readOptions(ctx, tx, rec, in)
		if err != nil {
			return err
		}
		if err := tx.SaveSSOOptions(ctx, c, s.now()); err != nil {
			return err
		}
		e := padlock.Event{AccountID: c.AccountID, PortalID: c.PortalID, ActorID: actor.User.ID, Kind: padlock.EventSSOSettings,
			Detail: optionsSummary(c), Address: actor.Address, At: s.now()}
		return tx.RecordEvent(ctx, e)
	})
}

// readOptions checks the form against the stored settings and the
// tenant's users, reporting every problem at once.
func (s *Service) readOptions(ctx context.Context, tx *store.Queries, rec *store.SSORecord, in OptionsInput) (*padlock.SSOConfig, error) {
	c := rec.SSOConfig
	if err := checkOptionsText(in); err != nil {
		return nil, err
	}
	c.Enabled, c.AcceptIDPMFA, c.AllowIDPInitiated, c.JIT, c.Enforce = in.Enabled, in.AcceptIDPMFA, in.AllowIDPInitiated, in.JIT, in.Enforce
	fe := padlock.FieldErrors{}
	if c.Enabled && !c.Configured() {
		fe.Add("enabled", "Connect an identity provider first (above).")
	}
	c.MFAContexts = readClassRefs(in.MFAContexts, &fe)
	if c.AcceptIDPMFA && len(c.MFAContexts) == 0 {
		fe.Add("mfa_contexts", "List the AuthnContextClassRef values that mean MFA at your identity provider.")
	}
	c.PhishingResistantContexts = readClassRefs(in.StrongContexts, &fe)
	for _, ref := range c.PhishingResistantContexts {
		if !slices.Contains(c.MFAContexts, ref) {
			fe.Add("strong_contexts", "List only values that are also in the list of values that mean MFA: "+ref+" is not.")
			break
		}
	}
	c.JITRole = readJITRole(c.Tenant(), in.JITRole, &fe)
	if !c.Tenant().IsPortal() {
		c.Domains = s.readDomains(ctx, tx, c.AccountID, in.Domains, &fe)
	}
	admins := 0
	c.BreakGlass, admins = readBreakGlass(ctx, tx, c.Tenant(), in.BreakGlass, &fe)
	if c.Enforce {
		switch {
		case !c.Enabled:
			fe.Add("enforce", "Turn single sign-on on to enforce it.")
		case c.LastTestAt.IsZero():
			fe.Add("enforce", "Run a successful Test connection first, so you know SSO works before password sign-in is closed.")
		case admins == 0 && !c.Tenant().IsPortal():
			fe.Add("break_glass", "Name at least one Administrator who may still sign in with a password if the identity provider fails.")
		}
	}
	return &c, fe.Err()
}

// readJITRole reads the role of users created just in time: an account
// role below Administrator for the account, a portal role below Portal
// administrator for a portal. Neither SSO nor a client's IdP makes anyone
// an administrator.
func readJITRole(t padlock.SSOTenant, raw string, fe *padlock.FieldErrors) padlock.Role {
	if t.IsPortal() {
		role, err := padlock.ParsePortalRole(raw)
		if err != nil || role == padlock.RolePortalAdministrator {
			fe.Add("jit_role", "Choose Editor, Creator or Lite.")
		}
		return role
	}
	role, err := padlock.ParseRole(raw)
	if err != nil || role == padlock.RoleAdministrator {
		fe.Add("jit_role", "Choose a role other than Administrator.")
	}
	return role
}

// checkOptionsText refuses bytes that no list of the form may hold,
// reporting every field at once.
func checkOptionsText(in OptionsInput) error {
	fe := padlock.FieldErrors{}
	for name, value := range map[string]string{"mfa_contexts": in.MFAContexts, "strong_contexts": in.StrongContexts, "break_glass": in.BreakGlass, "domains": in.Domains} {
		if err := padlock.CheckText(name, value, padlock.MultiLine, padlock.MaxListLen); err != nil {
			fe.Add(name, padlock.ErrorMessage(err))
		}
	}
	if err := padlock.CheckText("jit_role", in.JITRole, padlock.SingleLine, padlock.MaxNameLen); err != nil {
		fe.Add("jit_role", padlock.ErrorMessage(err))
	}
	return fe.Err()
}

// splitList splits a typed list on commas, semicolons and white space.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

func readClassRefs(raw string, fe *padlock.FieldErrors) []string {
	var out []string
	for _, v := range splitList(raw) {
		if len(v) > maxClassRefLen || strings.ContainsFunc(v, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
			fe.Add("mfa_contexts", "“"+truncate(v, 60)+"” is not an AuthnContextClassRef (a URI of at most 256 characters).")
			continue
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > maxListItems {
		fe.Add("mfa_contexts", fmt.Sprintf("List at most %d values.", maxListItems))
	}
	return out
}

var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// readDomains accepts an email domain when an active member of the
// account's staff who has signed in at least once has an address at it,
// and no other account lists it. An invited address proves nothing: any
// account can invite anyone, and a domain decides where "Sign in with SSO"
// sends the people who have no Padlock user yet.
func (s *Service) readDomains(ctx context.Context, tx *store.Queries, accountID int64, raw string, fe *padlock.FieldErrors) []string {
	var out []string
	for _, v := range splitList(strings.ToLower(raw)) {
		v = strings.TrimPrefix(v, "@")
		if len(v) > 253 || !domainPattern.MatchString(v) {
			fe.Add("domains", "“"+truncate(v, 60)+"” is not a domain name, like example.com.")
			continue
		}
		if slices.Contains(out, v) {
			continue
		}
		problem, err := domainProblem(ctx, tx, accountID, v)
		if err != nil {
			fe.Add("domains", "The domains could not be checked; try again.")
			s.Logger.Error("checking SSO domains", "err", err)
			return nil
		}
		if problem != "" {
			fe.Add("domains", problem)
			continue
		}
		out = append(out, v)
	}
	if len(out) > maxListItems {
		fe.Add("domains", fmt.Sprintf("List at most %d domains.", maxListItems))
	}
	return out
}

// domainProblem says why the account may not list domain, "" if it may.
// Another account's claim is checked only once this account has shown
// that the domain is its own, so the answer reveals nothing to a stranger.
func domainProblem(ctx context.Context, tx *store.Queries, accountID int64, domain string) (string, error) {
	n, err := tx.CountSignedInStaffAtDomain(ctx, accountID, domain)
	if err != nil || n == 0 {
		return "No active user of this account who has signed in at least once has an email address at " + domain + ".", err
	}
	taken, err := tx.SSODomainTakenByOther(ctx, accountID, domain)
	if err != nil || !taken {
		return "", err
	}
	return store.DomainTakenMessage(domain), nil
}

// readBreakGlass turns emails into the tenant's active users (the account's
// staff, or the portal's users), and counts the Administrators among them.
func readBreakGlass(ctx context.Context, tx *store.Queries, t padlock.SSOTenant, raw string, fe *padlock.FieldErrors) ([]int64, int) {
	var (
		ids    []int64
		admins int
	)
	for _, v := range splitList(raw) {
		email, err := padlock.NormalizeEmail(v)
		if err != nil {
			fe.Add("break_glass", "“"+truncate(v, 60)+"” is not a valid email address.")
			continue
		}
		c, err := tx.CredentialsByEmail(ctx, email)
		if err != nil && !errors.Is(err, padlock.ErrNotFound) {
			fe.Add("break_glass", "The users could not be checked; try again.")
			return nil, 0
		}
		if c == nil || !t.Has(c.User) || c.User.Status != padlock.StatusActive {
			fe.Add("break_glass", email+" is not an active user of "+tenantName(t)+".")
			continue
		}
		if !slices.Contains(ids, c.User.ID) {
			ids = append(ids, c.User.ID)
			if c.User.Role == padlock.RoleAdministrator {
				admins++
			}
		}
	}
	if len(ids) > maxListItems {
		fe.Add("break_glass", fmt.Sprintf("Name at most %d users.", maxListItems))
	}
	return ids, admins
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// optionsSummary is the audit detail of a change of options.
func optionsSummary(c *padlock.SSOConfig) string {
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	parts := []string{
		"SSO " + onOff(c.Enabled),
		"IdP MFA accepted " + onOff(c.AcceptIDPMFA),
		"IdP-initiated " + onOff(c.AllowIDPInitiated),
		"just-in-time users " + onOff(c.JIT),
		"enforced " + onOff(c.Enforce),
		padlock.Count(len(c.BreakGlass), "break-glass user", "break-glass users"),
	}
	if c.AcceptIDPMFA {
		parts[1] += " (" + strings.Join(c.MFAContexts, ", ") + ")"
		if len(c.PhishingResistantContexts) > 0 {
			parts[1] += ", phishing-resistant (" + strings.Join(c.PhishingResistantContexts, ", ") + ")"
		}
	}
	if c.JIT {
		parts[3] += " as " + c.JITRole.Label()
	}
	if len(c.Domains) > 0 {
		parts = append(parts, "domains "+strings.Join(c.Domains, ", "))
	}
	return strings.Join(parts, "; ")
}
