// Package padlock holds Padlock's domain: the types every layer shares
// (account, user, role, portal, session, audit event), the rules and
// decisions on them (the permission table, who may manage whom, the MFA
// decision NextStep, text and email checks) and the one error type.
//
// It does no I/O: no database, network, clock or randomness. Storage, the
// services and both HTTP surfaces import it; it imports none of them, so
// its rules can be tested in isolation.
package padlock
