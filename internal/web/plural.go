package web

import (
	"html/template"
	"strconv"
)

// Counts in the texts agree with their number: "1 user", "3 users",
// "1 of 3 users has MFA".

// count is n with the noun that agrees with it.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// haveMFA is "N of M users have MFA", each word agreeing with its number
// ("0 of 1 user has MFA", as none of one user has).
func haveMFA(with, total int) string {
	verb := "have"
	if with == 1 || with == 0 && total == 1 {
		verb = "has"
	}
	return strconv.Itoa(with) + " of " + count(total, "user", "users") + " " + verb + " MFA"
}

// textFuncs are the template functions that write counts.
func textFuncs() template.FuncMap {
	return template.FuncMap{
		"count":   count,
		"haveMFA": haveMFA,
		"days":    func(n int) string { return count(n, "day", "days") },
	}
}
