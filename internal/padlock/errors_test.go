package padlock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestErrorCarriesCodeMessageAndFieldsInOrder(t *testing.T) {
	collected := func(code string, add ...string) error {
		var fe FieldErrors
		for i := 0; i < len(add); i += 2 {
			fe.Add(add[i], add[i+1])
		}
		if code == EFORBIDDEN {
			return fe.Forbidden()
		}
		return fe.Err()
	}
	cases := []struct {
		name    string
		err     error
		code    string
		message string
		fields  FieldErrors
	}{
		{"no error has no code", nil, "", "Internal error.", nil},
		{"nothing collected is no error", collected(EINVALID), "", "Internal error.", nil},
		{"a field error is invalid and shows its own message", FieldError("email", "Enter an email address."),
			EINVALID, "Enter an email address.", FieldErrors{{"email", "Enter an email address."}}},
		{"a field error keeps another code", FieldError("name", "Taken.").WithCode(ECONFLICT),
			ECONFLICT, "Taken.", FieldErrors{{"name", "Taken."}}},
		{"collected fields keep the order they were found in", collected(EINVALID, "to", "B.", "from", "A.", "category", "C."),
			EINVALID, correctFields, FieldErrors{{"to", "B."}, {"from", "A."}, {"category", "C."}}},
		{"the first message of a field is kept", collected(EINVALID, "name", "First.", "email", "E.", "name", "Second."),
			EINVALID, correctFields, FieldErrors{{"name", "First."}, {"email", "E."}}},
		{"a refusal still shows each field", collected(EFORBIDDEN, "require_mfa", "No."),
			EFORBIDDEN, correctFields, FieldErrors{{"require_mfa", "No."}}},
		{"a wrapped error keeps its code and message", fmt.Errorf("store: user 7: %w", ErrNotFound),
			ENOTFOUND, "Not found.", nil},
		{"a wrapped field error keeps its fields", fmt.Errorf("setup: %w", FieldError("code", "Wrong.")),
			EINVALID, "Wrong.", FieldErrors{{"code", "Wrong."}}},
		{"a deadline is unavailable", fmt.Errorf("query: %w", context.DeadlineExceeded),
			EUNAVAILABLE, ErrUnavailable.Message, nil},
		{"any other error is internal and hidden", errors.New("disk on fire"), EINTERNAL, "Internal error.", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
			if tc.code == "" && tc.err != nil {
				t.Fatalf("err = %#v, want nil", tc.err)
			}
			var e *Error
			if !errors.As(tc.err, &e) && tc.fields != nil {
				t.Fatalf("errors.As(%v, *Error) found none", tc.err)
			}
			if e != nil && !slices.Equal(e.Fields, tc.fields) {
				t.Errorf("fields = %v, want %v", e.Fields, tc.fields)
			}
		})
	}
}

func TestErrorsIsFindsASentinelThroughWrapping(t *testing.T) {
	err := fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", ErrUnavailable))
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is through two wraps: unavailable %v, not found %v", errors.Is(err, ErrUnavailable), errors.Is(err, ErrNotFound))
	}
	if moved := FieldError("code", "Wrong.").WithCode(EUNAUTHORIZED); errors.Is(moved, ErrNotFound) {
		t.Error("a new error matches an unrelated sentinel")
	}
}

func TestFieldErrorsMessageIsEmptyForAFieldWithoutOne(t *testing.T) {
	var fe FieldErrors
	fe.Add("name", "Enter a name.")
	if got := fe.Message("name"); got != "Enter a name." {
		t.Errorf(`Message("name") = %q`, got)
	}
	if got := fe.Message("email"); got != "" {
		t.Errorf(`Message("email") = %q, want ""`, got)
	}
	e := FieldError("a", "A.")
	c := e.WithCode(ECONFLICT)
	c.Fields.Add("b", "B.")
	if e.Code != EINVALID || len(e.Fields) != 1 {
		t.Errorf("WithCode changed the original: %+v", e)
	}
}
