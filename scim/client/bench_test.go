package client_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

// BenchmarkCreate measures one Create over a keep-alive connection to a
// server on 127.0.0.1: "static" isolates the client's own cost (the
// server answers a fixed body), "memory-server" includes Provisio's SCIM
// handler over the memory backend.
func BenchmarkCreate(b *testing.B) {
	const answer = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646","userName":"bjensen","meta":{"resourceType":"User","version":"W/\"1\""}}`
	static := func(b *testing.B) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", scim.MediaType)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, answer)
		}))
		b.Cleanup(srv.Close)
		return srv.URL
	}
	for _, bc := range []struct {
		name  string
		start func(*testing.B) string
	}{
		{"static", static},
		{"memory-server", func(b *testing.B) string { return newTenant(b) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newClient(b, bc.start(b))
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := c.Create(ctx, "Users", userDoc(fmt.Sprintf("bench%d", i))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
