package jobs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/scim"
)

// TestHostileTargetAnswersAreStored: what a target answers ends up in
// links and logs; a NUL (which PostgreSQL cannot store), other control
// characters or a huge error detail must not keep the failure from being
// recorded, and an id no store can hold must not be linked.
func TestHostileTargetAnswersAreStored(t *testing.T) {
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", scim.MediaType)
		if r.Method == http.MethodGet { // matching: nobody there yet
			_ = json.NewEncoder(w).Encode(scim.ListResponse{Schemas: []string{scim.ListResponseMessage}, Resources: []scim.Resource{}})
			return
		}
		var res scim.Resource
		_ = json.NewDecoder(r.Body).Decode(&res)
		if res["userName"] == "user1@example.com" {
			w.WriteHeader(http.StatusConflict)
			_ = json.NewEncoder(w).Encode(&scim.Error{Status: 409,
				ScimType: "uniq\x00ueness\x1b[31m", Detail: "taken\x00\r\n" + strings.Repeat("x", 100_000)})
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(scim.Resource{"id": "a\x00b", "userName": res["userName"]})
	}))
	t.Cleanup(hostile.Close)

	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			dsn, path := open(t)
			e := newEnv(t, dsn, path)
			e.configure(jobs.Config{TenantURL: hostile.URL})
			e.addUsers(1, 2)
			if sum := e.run(); sum.Stats.Failed != 2 || sum.Error != "" {
				t.Errorf("Run = %+v, want 2 failed and the cycle to its end", sum)
			}
			if st := e.status(); st.Links.Failed != 2 {
				t.Errorf("Status().Links = %+v, want both failures recorded for a retry", st.Links)
			}
			logs, err := e.svc.Logs(context.Background(), appID, jobs.LogQuery{Status: provisioning.StatusFailure})
			if err != nil || len(logs) != 2 {
				t.Fatalf("Logs(failure) = %d entries, %v; want 2", len(logs), err)
			}
			for _, l := range logs {
				text := l.ErrorCode + l.Reason + l.TargetID
				for _, s := range l.Steps {
					text += s.Detail
				}
				if strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 }) {
					t.Errorf("log entry of %s = %q..., want no control characters", l.SourceName, text[:min(len(text), 200)])
				}
				if n := utf8.RuneCountInString(l.Reason); n > 2001 {
					t.Errorf("log entry of %s has a %d-character reason, want it cut", l.SourceName, n)
				}
				if l.TargetID != "" {
					t.Errorf("log entry of %s links target id %q, want none", l.SourceName, l.TargetID)
				}
			}
		})
	}
}
