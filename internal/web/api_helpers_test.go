package web_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// apiAnswer is one answer of the API: its status, headers and JSON body.
type apiAnswer struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into v, failing the test if it is not JSON.
func (a apiAnswer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(a.body), v); err != nil {
		t.Fatalf("answer %d is not JSON: %v\n%s", a.status, err, a.body)
	}
}

// errorCode is the code of an error answer, checking its one shape.
func (a apiAnswer) errorCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Fields  []struct {
				Field, Message string
			} `json:"fields"`
		} `json:"error"`
	}
	a.json(t, &e)
	if e.Error == nil || e.Error.Code == "" || e.Error.Message == "" || e.Error.Fields == nil {
		t.Fatalf("not the error shape: %s", a.body)
	}
	return e.Error.Code
}

// callAPI sends a request to the node's API with a key (none when key is
// ""), as a script would: no cookies, no Origin. Every answer is checked
// against the OpenAPI document (checkContract).
func callAPI(t *testing.T, base, key, method, path, body string) apiAnswer {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("X-Api-Key", key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return doAPI(t, req)
}

func doAPI(t *testing.T, req *http.Request) apiAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := apiAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	checkContract(t, req.Method, req.URL.Path, a)
	return a
}

// apiAccount is an account whose Administrator has MFA, with a read and
// write key and a read-only key.
type apiAccount struct {
	a                   *testenv.TestApp
	admin               *testenv.Client
	mfa                 enrolled
	readWrite, readOnly string
}

func newAPIAccount(t *testing.T, d string) *apiAccount {
	t.Helper()
	a, c, e := signedInWithMFA(t, d)
	return &apiAccount{a: a, admin: c, mfa: e,
		readWrite: createKey(t, c, "nightly-report", padlock.APIReadWrite, ""),
		readOnly:  createKey(t, c, "dashboard", padlock.APIRead, "")}
}

func (x *apiAccount) call(t *testing.T, key, method, path, body string) apiAnswer {
	t.Helper()
	return callAPI(t, x.a.URL, key, method, path, body)
}

// adminPortalInput is a portal of the organization that requires nothing.
func adminPortalInput(orgID int64) admin.PortalInput {
	return admin.PortalInput{OrganizationID: orgID, Name: "Client portal"}
}

// encodeTestCursor makes a cursor of the JSON, as a client could.
func encodeTestCursor(json string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(json))
}
