package padlock

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextKind says which white space a text field may hold besides spaces.
type TextKind int

const (
	// SingleLine is a name, a title, an address or an identifier: no line
	// breaks and no tabs.
	SingleLine TextKind = iota
	// MultiLine is a document body or a pasted list: line breaks and tabs
	// are part of the text.
	MultiLine
)

// Limits of fields that have no limit of their own.
const (
	MaxListLen  = 20_000  // a list of values, one per line or comma
	MaxPasteLen = 200_000 // pasted metadata or certificates
)

// CheckText is the one check every text a user can type goes through before
// it is stored or looked up: valid UTF-8, no NUL or other control character
// (line breaks and tabs only in a MultiLine field) and at most max
// characters. Both databases then store exactly the same texts: PostgreSQL
// refuses invalid UTF-8 and NUL, SQLite would keep them. The error is a
// FieldError on field, so the form shows it beside the input.
func CheckText(field, s string, kind TextKind, max int) error {
	if !utf8.ValidString(s) {
		return FieldError(field, "This text has bytes that are not valid UTF-8 characters. Retype it.")
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || r == '\u2028' || r == '\u2029':
			if kind == SingleLine {
				return FieldError(field, "Use a single line, without line breaks or tabs.")
			}
		case unicode.IsControl(r):
			return FieldError(field, fmt.Sprintf("Remove the control character %U from this text.", r))
		}
	}
	if max > 0 && utf8.RuneCountInString(s) > max {
		return FieldError(field, fmt.Sprintf("Use at most %d characters.", max))
	}
	return nil
}

// NormalizeLine checks one line of text as typed, so a line break at either
// end is refused too, then trims the spaces around it. It may be empty.
func NormalizeLine(field, s string, max int) (string, error) {
	if err := CheckText(field, s, SingleLine, 0); err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	return s, CheckText(field, s, SingleLine, max)
}

// Plural is one when n is 1 and many otherwise, for the word that follows
// or agrees with a count: "1 user has", "3 users have".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n followed by the noun that fits it: "1 invitation",
// "3 invitations", "0 invitations".
func Count(n int, one, many string) string { return strconv.Itoa(n) + " " + Plural(n, one, many) }

// OfCount is "n of m" nouns with the verb that agrees: "1 of 3 users has",
// "2 of 3 users have", "0 of 1 user has".
func OfCount(n, m int, noun, nouns, verb, verbs string) string {
	if n == 1 || m == 1 {
		verbs = verb
	}
	return strconv.Itoa(n) + " of " + strconv.Itoa(m) + " " + Plural(m, noun, nouns) + " " + verbs
}
