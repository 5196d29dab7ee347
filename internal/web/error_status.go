package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// errorStatuses pairs each error code with the HTTP status that answers
// it, on pages and in the API alike. A code not listed is a 500.
var errorStatuses = []struct {
	code   string
	status int
}{
	{padlock.EBADREQUEST, http.StatusBadRequest},
	{padlock.EUNAUTHORIZED, http.StatusUnauthorized},
	{padlock.EFORBIDDEN, http.StatusForbidden},
	{padlock.EREADONLYKEY, http.StatusForbidden},
	{padlock.EKEYNOMFA, http.StatusForbidden},
	{padlock.EKEYSUSPENDED, http.StatusForbidden},
	{padlock.ENOTFOUND, http.StatusNotFound},
	{padlock.EMETHOD, http.StatusMethodNotAllowed},
	{padlock.ECONFLICT, http.StatusConflict},
	{padlock.EINVALID, http.StatusUnprocessableEntity},
	{padlock.ERATELIMITED, http.StatusTooManyRequests},
	{padlock.EUNAVAILABLE, http.StatusServiceUnavailable},
}

// statusOf is the HTTP status of an error code.
func statusOf(code string) int {
	for _, e := range errorStatuses {
		if e.code == code {
			return e.status
		}
	}
	return http.StatusInternalServerError
}

// codeOfStatus is the error code of an answer made without an error value
// (the 404 of an unknown path, a refused cross-origin form): the first code
// of the status in errorStatuses. A body too large is a bad request.
func codeOfStatus(status int) string {
	if status == http.StatusRequestEntityTooLarge {
		return padlock.EBADREQUEST
	}
	for _, e := range errorStatuses {
		if e.status == status {
			return e.code
		}
	}
	return padlock.EINTERNAL
}
