package web_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/web"
)

// The OpenAPI document is the API's contract: every /api/v1 route of the
// table has an operation and every operation a route, and every answer the
// API tests receive (callAPI) validates against the schema documented for
// its path, method and status.

type openAPIDoc struct {
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Schemas   map[string]json.RawMessage `json:"schemas"`
		Responses map[string]openAPIResponse `json:"responses"`
	} `json:"components"`
}

type openAPIOperation struct {
	Responses map[string]openAPIResponse `json:"responses"`
}

type openAPIResponse struct {
	Ref     string `json:"$ref"`
	Content map[string]struct {
		Schema json.RawMessage `json:"schema"`
	} `json:"content"`
}

var loadOpenAPI = sync.OnceValues(func() (*openAPIDoc, error) {
	var d openAPIDoc
	if err := json.Unmarshal(web.OpenAPIDocument(), &d); err != nil {
		return nil, err
	}
	return &d, nil
})

func openAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	d, err := loadOpenAPI()
	if err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	return d
}

func TestTheOpenAPIDocumentHasAnOperationForEveryAPIRouteAndNoOther(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	var routes, documented []string
	for _, r := range a.Web.RouteTable() {
		if strings.HasPrefix(r.Path, "/api/") {
			routes = append(routes, r.Method+" "+r.Path)
		}
	}
	for path, ops := range openAPI(t).Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(routes)
	sort.Strings(documented)
	if !slices.Equal(routes, documented) {
		t.Fatalf("the route table's API routes\n  %s\nthe document's operations\n  %s", strings.Join(routes, "\n  "), strings.Join(documented, "\n  "))
	}
	ans := callAPI(t, a.URL, "", "GET", "/api/v1/openapi.json", "")
	var served map[string]any
	ans.json(t, &served)
	if ans.status != http.StatusOK || served["openapi"] != "3.1.0" {
		t.Fatalf("GET /api/v1/openapi.json: %d %v", ans.status, served["openapi"])
	}
}

// checkContract validates an answer of the API against the document.
func checkContract(t *testing.T, method, path string, a apiAnswer) {
	t.Helper()
	d := openAPI(t)
	op, ok := d.operation(method, path)
	if !ok {
		if a.status == http.StatusNotFound || a.status == http.StatusMethodNotAllowed {
			return // no such route: nothing is promised but the error shape
		}
		t.Fatalf("%s %s: no operation in the OpenAPI document", method, path)
	}
	resp, ok := op.Responses[fmt.Sprint(a.status)]
	if !ok {
		t.Fatalf("%s %s answered %d, which the OpenAPI document does not list\n%s", method, path, a.status, a.body)
	}
	if resp.Ref != "" {
		resp = d.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
	}
	schema := resp.Content["application/json"].Schema
	if schema == nil {
		return
	}
	var body any
	if err := json.Unmarshal([]byte(a.body), &body); err != nil {
		t.Fatalf("%s %s: %d answer is not JSON: %v", method, path, a.status, err)
	}
	if err := d.validate(schema, body, "$"); err != nil {
		t.Fatalf("%s %s: %d answer does not match the OpenAPI document: %v\n%s", method, path, a.status, err, a.body)
	}
}

var templateValue = regexp.MustCompile(`\{[^}]+\}`)

// operation finds the operation whose path template matches path.
func (d *openAPIDoc) operation(method, path string) (openAPIOperation, bool) {
	for tpl, ops := range d.Paths {
		if !regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(templateValue.ReplaceAllString(tpl, "\x00")), "\x00", "[^/]+") + "$").MatchString(path) {
			continue
		}
		op, ok := ops[strings.ToLower(method)]
		return op, ok
	}
	return openAPIOperation{}, false
}

// validate checks v against a JSON Schema, in the subset the document uses:
// $ref, type (one or several), properties, required, additionalProperties
// false, items, enum, minimum, maximum and format date-time.
func (d *openAPIDoc) validate(raw json.RawMessage, v any, at string) error {
	var s struct {
		Ref                  string                     `json:"$ref"`
		Type                 any                        `json:"type"`
		Properties           map[string]json.RawMessage `json:"properties"`
		Required             []string                   `json:"required"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
		Items                json.RawMessage            `json:"items"`
		Enum                 []any                      `json:"enum"`
		Minimum, Maximum     *float64
		Format               string `json:"format"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("%s: bad schema: %v", at, err)
	}
	if s.Ref != "" {
		sub, ok := d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
		if !ok {
			return fmt.Errorf("%s: no schema %s", at, s.Ref)
		}
		return d.validate(sub, v, at)
	}
	if s.Type != nil && !typeMatches(s.Type, v) {
		return fmt.Errorf("%s: %v is not of type %v", at, v, s.Type)
	}
	if s.Enum != nil && !slices.Contains(s.Enum, v) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, s.Enum)
	}
	switch x := v.(type) {
	case string:
		if s.Format == "date-time" {
			if _, err := time.Parse(time.RFC3339, x); err != nil {
				return fmt.Errorf("%s: %q is not a date-time", at, x)
			}
		}
	case float64:
		if s.Minimum != nil && x < *s.Minimum || s.Maximum != nil && x > *s.Maximum {
			return fmt.Errorf("%s: %v is out of range", at, x)
		}
	case map[string]any:
		for _, name := range s.Required {
			if _, ok := x[name]; !ok {
				return fmt.Errorf("%s: %q is missing", at, name)
			}
		}
		for name, val := range x {
			sub, ok := s.Properties[name]
			if !ok {
				if s.AdditionalProperties != nil && !*s.AdditionalProperties {
					return fmt.Errorf("%s: %q is not documented", at, name)
				}
				continue
			}
			if err := d.validate(sub, val, at+"."+name); err != nil {
				return err
			}
		}
	case []any:
		if s.Items != nil {
			for i, item := range x {
				if err := d.validate(s.Items, item, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func typeMatches(typ any, v any) bool {
	switch x := typ.(type) {
	case string:
		return oneType(x, v)
	case []any:
		for _, t := range x {
			if s, ok := t.(string); ok && oneType(s, v) {
				return true
			}
		}
	}
	return false
}

func oneType(typ string, v any) bool {
	switch typ {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == math.Trunc(f)
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	}
	return false
}

// The checker itself must be able to fail.
func TestTheContractCheckRefusesAnswersThatDoNotMatch(t *testing.T) {
	t.Parallel()
	d := openAPI(t)
	user := json.RawMessage(`{"$ref": "#/components/schemas/UserOne"}`)
	for name, body := range map[string]string{
		"a missing field":         `{"user": {"id": 1}}`,
		"an undocumented field":   `{"user": {"id": 1, "email": "a@b.c", "name": "", "role": "lite", "status": "active", "portal_id": null, "mfa": {"enabled": false, "factors": [], "since": null, "required": false, "deadline": null, "overdue": false}, "last_sign_in": null, "created_at": "2026-01-01T00:00:00Z", "password": "x"}}`,
		"a wrong type":            `{"user": {"id": "1", "email": "a@b.c", "name": "", "role": "lite", "status": "active", "portal_id": null, "mfa": {"enabled": false, "factors": [], "since": null, "required": false, "deadline": null, "overdue": false}, "last_sign_in": null, "created_at": "2026-01-01T00:00:00Z"}}`,
		"a value not in the enum": `{"user": {"id": 1, "email": "a@b.c", "name": "", "role": "owner", "status": "active", "portal_id": null, "mfa": {"enabled": false, "factors": [], "since": null, "required": false, "deadline": null, "overdue": false}, "last_sign_in": null, "created_at": "2026-01-01T00:00:00Z"}}`,
		"a time that is not one":  `{"user": {"id": 1, "email": "a@b.c", "name": "", "role": "lite", "status": "active", "portal_id": null, "mfa": {"enabled": false, "factors": [], "since": null, "required": false, "deadline": null, "overdue": false}, "last_sign_in": null, "created_at": "yesterday"}}`,
	} {
		var v any
		json.Unmarshal([]byte(body), &v)
		if err := d.validate(user, v, "$"); err == nil {
			t.Errorf("%s passed", name)
		}
	}
	var good any
	json.Unmarshal([]byte(`{"user": {"id": 1, "email": "a@b.c", "name": "", "role": "lite", "status": "active", "portal_id": 3, "mfa": {"enabled": true, "factors": ["totp"], "since": "2026-01-01T00:00:00Z", "required": true, "deadline": null, "overdue": false}, "last_sign_in": null, "created_at": "2026-01-01T00:00:00Z"}}`), &good)
	if err := d.validate(user, good, "$"); err != nil {
		t.Errorf("a good answer failed: %v", err)
	}
}
