package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// fixedBackend answers every call with one canned user, so the benchmarks
// below measure the Handler's own cost (routing, parsing, validation,
// projection, encoding) on the hot paths.
type fixedBackend struct{ user scim.Resource }

func (b fixedBackend) Create(_ context.Context, _ *scim.ResourceType, doc scim.Resource) (scim.Resource, error) {
	doc["id"], doc["meta"] = b.user["id"], b.user["meta"]
	return doc, nil
}

func (b fixedBackend) Get(context.Context, *scim.ResourceType, string, backend.GetOptions) (scim.Resource, error) {
	return b.user, nil
}

func (b fixedBackend) Update(_ context.Context, _ *scim.ResourceType, _, _ string, c backend.Change, _ backend.GetOptions) (scim.Resource, error) {
	if c.Apply == nil {
		return b.user, nil
	}
	return c.Apply(b.user)
}

func (b fixedBackend) Delete(context.Context, *scim.ResourceType, string, string) error { return nil }

func (b fixedBackend) List(context.Context, *scim.ResourceType, backend.Query) (backend.Page, error) {
	return backend.Page{Resources: []scim.Resource{b.user}, Total: 1}, nil
}

func benchHandler() *Handler {
	user := scim.Resource{
		"schemas":                 []any{scim.UserSchema, scim.EnterpriseUserSchema},
		"id":                      "2819c223-7f76-453a-919d-413861904646",
		"externalId":              "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName":                "bjensen@example.com",
		"name":                    map[string]any{"givenName": "Barbara", "familyName": "Jensen", "formatted": "Barbara Jensen"},
		"active":                  true,
		"emails":                  []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}},
		"meta":                    map[string]any{"resourceType": "User", "created": "2026-01-01T00:00:00Z", "lastModified": "2026-01-01T00:00:00Z", "version": `W/"1"`},
		scim.EnterpriseUserSchema: map[string]any{"employeeNumber": "701984", "department": "Tour Operations"},
	}
	return New(Config{Registry: scim.NewStandardRegistry(), Backend: fixedBackend{user: user}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func runBench(b *testing.B, h *Handler, method, target, body string, want int) {
	b.ReportAllocs()
	for b.Loop() {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := httptest.NewRequest(method, target, rd)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s %s = %d %s", method, target, w.Code, w.Body)
		}
	}
}

func BenchmarkGetFilterUserName(b *testing.B) {
	runBench(b, benchHandler(), "GET", `/scim/t1/v2/Users?filter=userName+eq+%22bjensen%40example.com%22`, "", 200)
}

func BenchmarkCreateUser(b *testing.B) {
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2","userName":"Test_User_00aa00aa","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User@testuser.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`
	runBench(b, benchHandler(), "POST", "/scim/t1/v2/Users", body, 201)
}

func BenchmarkPatchEntra(b *testing.B) {
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`
	runBench(b, benchHandler(), "PATCH", "/scim/t1/v2/Users/2819c223-7f76-453a-919d-413861904646", body, 200)
}
