package web

import (
	"html/template"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// haveMFA is "N of M users have MFA", each word agreeing with its number
// ("0 of 1 user has MFA", as none of one user has).
func haveMFA(with, total int) string {
	return padlock.OfCount(with, total, "user", "users", "has", "have") + " MFA"
}

// textFuncs are the template functions that write counts, each word
// agreeing with its number (padlock.Count, padlock.Plural).
func textFuncs() template.FuncMap {
	return template.FuncMap{
		"count":   padlock.Count,
		"plural":  padlock.Plural,
		"ofCount": padlock.OfCount,
		"haveMFA": haveMFA,
		"days":    func(n int) string { return padlock.Count(n, "day", "days") },
	}
}
