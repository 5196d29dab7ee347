package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Each handler that takes a form reads it into a struct of its own (a
// signInFields, a setupFields…), declared beside the handler, with a
// `form:"name"` tag naming the input each field comes from.

// readForm reads the submitted form into dst, a pointer to a form struct
// whose fields cannot be wrong (text and checkboxes). It answers itself and
// returns false when the body cannot be read (400, or 413 when too large).
// A form with a number uses parseForm and decodeForm instead, so that a
// number that is not one is shown beside its field.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, dst any) bool {
	if !s.parseForm(w, r) {
		return false
	}
	if err := decodeForm(r.PostForm, dst); err != nil {
		s.error(w, r, err)
		return false
	}
	return true
}

// parseForm reads a submitted form, answering 400 or 413 itself when the
// body is malformed or too large.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, "The form is too large.")
		} else {
			s.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
		}
		return false
	}
	return true
}

// notANumber is the message beside a number field that has no `invalid`
// tag of its own.
const notANumber = "Enter a whole number."

// decodeForm sets each field of dst (a pointer to a struct) that has a
// `form:"name"` tag from the form's values of that name:
//
//   - a string takes the first value, as Request.PostFormValue does, or "";
//   - a bool is a checkbox: on when the value is "on" (what a browser
//     sends), "1" or "true";
//   - a []string takes every value, for an input that may repeat;
//   - an int or int64 is a required whole number: a value that is not one,
//     empty or absent included, is an EINVALID field error with the field's
//     `invalid` tag as its message (notANumber without one).
//
// Values no field names are ignored, and so are fields without a tag.
func decodeForm(form url.Values, dst any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("decodeForm: %T is not a pointer to a struct", dst)
	}
	var fe padlock.FieldErrors
	for sf, field := range v.Elem().Fields() {
		name := sf.Tag.Get("form")
		if name == "" {
			continue
		}
		switch {
		case field.Kind() == reflect.String:
			field.SetString(form.Get(name))
		case field.Kind() == reflect.Bool:
			field.SetBool(slices.Contains([]string{"on", "1", "true"}, form.Get(name)))
		case field.Kind() == reflect.Int || field.Kind() == reflect.Int64:
			n, err := strconv.ParseInt(form.Get(name), 10, field.Type().Bits())
			if err != nil {
				n = 0 // not the limit ParseInt returns for an overflow
				fe.Add(name, cmp.Or(sf.Tag.Get("invalid"), notANumber))
			}
			field.SetInt(n)
		case field.Type() == reflect.TypeFor[[]string]():
			field.Set(reflect.ValueOf(slices.Clone(form[name])))
		default:
			return fmt.Errorf("decodeForm: field %s of %T is a %s, which a form cannot fill", sf.Name, dst, sf.Type)
		}
	}
	return fe.Err()
}
