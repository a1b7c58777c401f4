package app

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/scim/server"
)

// The SCIM service's request shapes of bench/run.sh (Entra's POST /Users,
// its `userName eq` lookup and its PATCH) through the whole handler of
// `serve` (access log, metrics, tenant authentication, scim/server, the
// SQLite store), in process and one request at a time, so that the work per
// request can be counted without the machine's load by callgrind:
// bench/scimcallgrind.sh (issue 15; docs/benchmarks.md, "Issue 15: SCIM
// service CPU per request"). Each benchmark seeds benchSCIMUsers users
// first; the script subtracts a run of one request to count the requests
// alone.

const benchSCIMUsers = 1000

const benchUserBody = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"ext-%[1]d","userName":"user%[1]d@example.com","active":true,"displayName":"User %[1]d","name":{"formatted":"Given%[1]d Family%[1]d","givenName":"Given%[1]d","familyName":"Family%[1]d"},"emails":[{"primary":true,"type":"work","value":"user%[1]d@example.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"%[1]d","department":"Sales"}}`

const benchPatchBody = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"%[1]s"},{"op":"Replace","path":"name.familyName","value":"Family%[2]db"}]}`

// scimBench is a serve handler with an Entra-policy tenant of seeded users.
type scimBench struct {
	h     http.Handler
	base  string // the tenant's SCIM base path
	token string
	ids   []string
}

func newSCIMBench(b *testing.B) *scimBench {
	b.Helper()
	cfg := config.Serve{Addr: "127.0.0.1:0", DataDir: b.TempDir(), MaxBody: 1 << 20}
	a, err := New(b.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	pol, _ := server.PolicyByName("entra")
	polJSON, err := json.Marshal(pol)
	if err != nil {
		b.Fatal(err)
	}
	ten, token, err := a.tenants.Create(b.Context(), "bench", polJSON)
	if err != nil {
		b.Fatal(err)
	}
	e := &scimBench{h: a.Handler(), base: "/scim/" + ten.ID + "/v2", token: token}
	for i := range benchSCIMUsers {
		w := e.do(b, "POST", "/Users", fmt.Sprintf(benchUserBody, i), http.StatusCreated)
		var res struct{ ID string }
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			b.Fatal(err)
		}
		e.ids = append(e.ids, res.ID)
	}
	return e
}

// do serves one request and checks its status.
func (e *scimBench) do(b *testing.B, method, path, body string, want int) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, e.base+path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+e.token)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("%s %s = %d %s", method, path, w.Code, w.Body)
	}
	return w
}

func BenchmarkSCIMCreate(b *testing.B) {
	e := newSCIMBench(b)
	b.ReportAllocs()
	i := benchSCIMUsers
	for b.Loop() {
		e.do(b, "POST", "/Users", fmt.Sprintf(benchUserBody, i), http.StatusCreated)
		i++
	}
}

func BenchmarkSCIMFilter(b *testing.B) {
	e := newSCIMBench(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w := e.do(b, "GET", fmt.Sprintf("/Users?filter=userName%%20eq%%20%%22user%d%%40example.com%%22", i*7919%benchSCIMUsers), "", http.StatusOK)
		if !strings.Contains(w.Body.String(), `"totalResults":1`) {
			b.Fatalf("filter: %s", w.Body)
		}
		i++
	}
}

func BenchmarkSCIMPatch(b *testing.B) {
	e := newSCIMBench(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		active := [2]string{"True", "False"}[i%2]
		e.do(b, "PATCH", "/Users/"+e.ids[i*7919%benchSCIMUsers], fmt.Sprintf(benchPatchBody, active, i), http.StatusNoContent)
		i++
	}
}
