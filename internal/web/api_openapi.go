package web

import (
	_ "embed"
	"net/http"
)

// openAPI is the API's contract, an OpenAPI 3.1 document written by hand
// and held to the route table and to real answers by the tests
// (openapi_test.go).
//
//go:embed openapi/openapi.json
var openAPI []byte

// OpenAPIDocument returns the document GET /api/v1/openapi.json serves.
func OpenAPIDocument() []byte { return openAPI }

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(openAPI)
}
