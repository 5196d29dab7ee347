package padlock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error codes shared by storage, services and both HTTP surfaces.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
	// EBADREQUEST is a request that cannot be read at all (malformed JSON).
	EBADREQUEST = "bad_request"
	// ERATELIMITED is a caller over its request limit; retry later.
	ERATELIMITED = "rate_limited"
	// EREADONLYKEY refuses a change asked with a read-only API key.
	EREADONLYKEY = "read_only_key"
	// EKEYNOMFA refuses what needs the caller's own MFA (requiring MFA of
	// everyone) when the caller is an API key, which has none.
	EKEYNOMFA = "api_key_has_no_mfa"
	// EKEYSUSPENDED refuses a request made with an API key whose maker is
	// no longer an active Administrator of the account.
	EKEYSUSPENDED = "api_key_suspended"
	// EMETHOD answers a method a path of the API does not take (405).
	EMETHOD = "method_not_allowed"
)

// Error is the one error a user may see: a code, a message, and the form
// fields it is about, each with the message to show beside it.
type Error struct {
	Code    string
	Message string
	Fields  FieldErrors
}

// Error is the message; an error about several fields spells each out, for
// logs and tests.
func (e *Error) Error() string {
	if len(e.Fields) == 0 || len(e.Fields) == 1 && e.Fields[0].Message == e.Message {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// WithCode returns a copy of e with another code, for a field error that is
// not a typing mistake (a conflict, a refusal).
func (e *Error) WithCode(code string) *Error {
	c := *e
	c.Code = code
	c.Fields = slices.Clone(e.Fields)
	return &c
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one form field.
func FieldError(field, message string) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: FieldErrors{{Field: field, Message: message}}}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error.
// Work that ran out of time is EUNAVAILABLE: the request's deadline passed.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return EUNAVAILABLE
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, hiding internal ones.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrUnavailable.Message
	}
	return "Internal error."
}

// ErrNotFound is the error for a missing record; wrap it to add detail.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "Not found."}

// ErrUnavailable is the error for a database that cannot serve now: down,
// read-only, full, locked or too slow. Storage wraps it around the driver's
// error; the HTTP surfaces answer 503 with Retry-After.
var ErrUnavailable = &Error{Code: EUNAVAILABLE, Message: "Padlock is unavailable. Please try again in a moment."}

// FieldMessage is one problem with one form field.
type FieldMessage struct {
	Field   string
	Message string
}

// FieldErrors lists problems by form field, in the order they were found,
// so a form can show each beside its input. Collect them with Add and end
// with Err.
type FieldErrors []FieldMessage

// correctFields is the message of an error collected from several fields:
// the fields carry the details.
const correctFields = "Please correct the highlighted fields."

// Add records msg for field unless the field already has a message: the
// first problem found is the one shown.
func (fe *FieldErrors) Add(field, msg string) {
	if !slices.ContainsFunc(*fe, func(f FieldMessage) bool { return f.Field == field }) {
		*fe = append(*fe, FieldMessage{Field: field, Message: msg})
	}
}

// Message returns the message for field, "" when it has none. Templates
// call it beside each input.
func (fe FieldErrors) Message(field string) string {
	for _, f := range fe {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Err returns nil when there are no problems, otherwise one EINVALID *Error
// carrying all of them.
func (fe FieldErrors) Err() error {
	return fe.errWith(EINVALID)
}

// Forbidden returns nil when there are no problems, otherwise an EFORBIDDEN
// *Error that still shows each message beside its field: a refusal of what
// the fields ask for, not a typing mistake.
func (fe FieldErrors) Forbidden() error {
	return fe.errWith(EFORBIDDEN)
}

func (fe FieldErrors) errWith(code string) error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: code, Message: correctFields, Fields: slices.Clone(fe)}
}
