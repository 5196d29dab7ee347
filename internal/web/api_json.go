package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// apiError is the one shape of every API error:
// {"error": {"code": …, "message": …, "fields": [{"field", "message"}]}}.
type apiError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Fields  []apiFieldError `json:"fields"`
}

type apiFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// writeAPIError answers err in the API's error shape. Internal errors were
// logged by the caller and say only "Internal error."
func writeAPIError(w http.ResponseWriter, status int, err error) {
	out := apiError{Code: padlock.ErrorCode(err), Message: padlock.ErrorMessage(err), Fields: []apiFieldError{}}
	var e *padlock.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			out.Fields = append(out.Fields, apiFieldError{f.Field, f.Message})
		}
	}
	writeJSON(w, status, map[string]apiError{"error": out})
}

// readJSON decodes a request's JSON object into dst, a struct naming every
// field it accepts. A body that is not one JSON object is 400; a field
// that is unknown or of the wrong type is 422 naming the field. It answers
// itself and returns false on failure.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := decodeJSON(r, dst); err != nil {
		s.error(w, r, err)
		return false
	}
	return true
}

func decodeJSON(r *http.Request, dst any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return padlock.Errorf(padlock.EBADREQUEST, "Send a JSON object with Content-Type: application/json.")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		tooBig *http.MaxBytesError
	)
	switch {
	case err == nil:
		if _, err := dec.Token(); err != io.EOF {
			return padlock.Errorf(padlock.EBADREQUEST, "Send one JSON object, with nothing after it.")
		}
		return nil
	case errors.As(err, &tooBig):
		return padlock.Errorf(padlock.EBADREQUEST, "The request body is too large.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return padlock.Errorf(padlock.EBADREQUEST, "Send a JSON object.")
		}
		return padlock.FieldError(field, fmt.Sprintf("Must be %s.", jsonKind(typ.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return padlock.FieldError(field, "Unknown field.")
	case errors.As(err, &syntax), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return padlock.Errorf(padlock.EBADREQUEST, "The request body is not valid JSON.")
	}
	return padlock.Errorf(padlock.EBADREQUEST, "The request body could not be read.")
}

// jsonKind names a Go kind as JSON calls it.
func jsonKind(k string) string {
	switch {
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "a number"
	case k == "slice", k == "array":
		return "an array"
	}
	return "an object"
}
