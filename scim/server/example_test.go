package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/server"
)

// Embedding the SCIM service provider in an application: one handler over
// the in-memory backend, mounted under /scim/v2 behind a bearer-token check,
// with the Entra ID policy and an explicit base URL for meta.location.
func Example() {
	h := server.New(server.Config{
		Registry: scim.NewStandardRegistry(),
		Backend:  memory.New(),
	})
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.Header().Set("Content-Type", scim.MediaType)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"invalid token"}`)
			return
		}
		ctx := server.WithBaseURL(r.Context(), "https://app.example.com/scim/v2")
		ctx = server.WithPolicy(ctx, server.PolicyEntra)
		h.ServeHTTP(w, r.WithContext(ctx))
	})))

	send := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer s3cret")
		r.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}

	// Entra's Test Connection: a user that does not exist.
	w := send("GET", `/scim/v2/Users?filter=userName+eq+%22e6f1b2c4-0000-4000-8000-000000000000%22`, "")
	fmt.Println(w.Code, w.Header().Get("Content-Type"))

	w = send("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","active":true}`)
	fmt.Println(w.Code, strings.HasPrefix(w.Header().Get("Location"), "https://app.example.com/scim/v2/Users/"))

	w = send("PATCH", w.Header().Get("Location")[len("https://app.example.com"):], `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	fmt.Println(w.Code)
	// Output:
	// 200 application/scim+json
	// 201 true
	// 204
}
