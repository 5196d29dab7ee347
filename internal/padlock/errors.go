package padlock

import (
	"context"
	"errors"
	"fmt"
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
)

// Error is an error a user may see: a code and a message, optionally tied to
// one form field.
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an EINVALID error about one form field.
func FieldError(field, message string) *Error {
	return &Error{Code: EINVALID, Field: field, Message: message}
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
	var v *ValidationError
	if errors.As(err, &v) {
		if v.Code != "" {
			return v.Code
		}
		return EINVALID
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
	var v *ValidationError
	if errors.As(err, &v) {
		return "Please correct the highlighted fields."
	}
	return "Internal error."
}

// ErrNotFound is the error for a missing record; wrap it to add detail.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "Not found."}

// ErrUnavailable is the error for a database that cannot serve now: down,
// read-only, full, locked or too slow. Storage wraps it around the driver's
// error; the HTTP surfaces answer 503 with Retry-After.
var ErrUnavailable = &Error{Code: EUNAVAILABLE, Message: "Padlock is unavailable. Please try again in a moment."}

// FieldErrors collects errors keyed by form field so a form can show each
// beside its input.
type FieldErrors map[string]string

func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// Err returns nil when there are no errors, otherwise an EINVALID *Error
// naming the first field.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}

// Forbidden returns nil when there are no errors, otherwise an EFORBIDDEN
// error that still shows each message beside its field: a refusal of what
// the fields ask for, not a typing mistake.
func (fe FieldErrors) Forbidden() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe, Code: EFORBIDDEN}
}

// ValidationError carries every field problem of one submission. Its code
// is EINVALID unless Code says otherwise.
type ValidationError struct {
	Fields FieldErrors
	Code   string
}

func (v *ValidationError) Error() string {
	for f, m := range v.Fields {
		return f + ": " + m
	}
	return "invalid input"
}
