package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestJobBulkEndToEnd: a job set to --bulk on provisions 600 imported
// users into a Provisio tenant (which advertises bulk.supported) in a few
// Bulk requests instead of one POST each, then their changes in Bulk
// PATCHes, on every database; `job get` shows the setting.
func TestJobBulkEndToEnd(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t))
			ten := s.createTenant(t, "Bulk tenant", "--policy", "entra")
			const n = 600
			dir := t.TempDir()
			var csv, members strings.Builder
			csv.WriteString("userPrincipalName,displayName,givenName,surname,mail,mailNickname\n")
			for i := 1; i <= n; i++ {
				fmt.Fprintf(&csv, "bulk%d@contoso.com,Bulk %d,Bulk,Family%d,bulk%d@contoso.com,bulk%d\n", i, i, i, i, i)
				fmt.Fprintf(&members, "bulk%d@contoso.com\n", i)
			}
			write := func(name, text string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			var out map[string]any
			s.cliJSON(t, &out, "user", "import", write("users.csv", csv.String()))
			s.cliJSON(t, &out, "group", "create", "Everyone")
			s.cliJSON(t, &out, "group", "add-member", "Everyone", "--file", write("members.txt", members.String()))
			s.cliJSON(t, &out, "app", "create", "Portal")
			var job apitypes.Job
			s.cliJSON(t, &job, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", write("token", ten.Token), "--bulk", "on")
			if !job.Bulk {
				t.Fatalf("job configure --bulk on: bulk = false")
			}
			if got, err := s.cliIn(t, nil, "job", "configure", "Portal", "--bulk", "maybe"); err == nil {
				t.Errorf("job configure --bulk maybe succeeded: %s", got)
			}
			s.cliJSON(t, &out, "app", "assign", "Portal", "--group", "Everyone")
			s.cliJSON(t, &out, "job", "stop", "Portal")

			cyc := s.runCycle(t, "Portal")
			if cyc.Error != "" || cyc.Stats.Created != n+1 || cyc.Stats.Failed != 0 {
				t.Fatalf("initial cycle = %+v, want %d created (the users and the group)", cyc, n+1)
			}
			// One POST each would be n requests: Bulk takes a handful.
			if cyc.Stats.Requests > 20 {
				t.Errorf("initial cycle sent %d requests, want at most 20 (Bulk)", cyc.Stats.Requests)
			}
			r := scimDo(t, "GET", ten.TenantURL+"/Users?count=0", ten.Token, "")
			if r.body["totalResults"] != float64(n) {
				t.Fatalf("tenant has %v users, want %d", r.body["totalResults"], n)
			}
			if u := scimUser(t, ten, "bulk42@contoso.com"); u == nil || familyName(u) != "Family42" || u["active"] != true {
				t.Fatalf("tenant user bulk42 = %v", u)
			}

			for i := 1; i <= 20; i++ {
				s.cliJSON(t, &out, "user", "update", fmt.Sprintf("bulk%d@contoso.com", i), "--set", fmt.Sprintf("surname=Changed%d", i))
			}
			cyc = s.runCycle(t, "Portal")
			if cyc.Error != "" || cyc.Stats.Updated != 20 || cyc.Stats.Failed != 0 || cyc.Stats.Requests > 5 {
				t.Fatalf("incremental cycle = %+v, want 20 updated in at most 5 requests", cyc)
			}
			if u := scimUser(t, ten, "bulk7@contoso.com"); familyName(u) != "Changed7" {
				t.Errorf("tenant user bulk7 familyName = %v, want Changed7", familyName(u))
			}
			s.cliJSON(t, &job, "job", "configure", "Portal", "--bulk", "off")
			if job.Bulk {
				t.Errorf("job configure --bulk off: bulk = true")
			}
		})
	}
}
