package main

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestTwoNodesOnePostgres runs two serve processes on one PostgreSQL
// database, as behind a load balancer: the second node starts on the
// migrated schema, a tenant and its token work on both, userName
// uniqueness holds across nodes, concurrent membership PATCHes through
// both nodes lose no update, and the change feed has every change once.
func TestTwoNodesOnePostgres(t *testing.T) {
	base := os.Getenv(testdb.PostgresEnv)
	if base == "" {
		t.Skip(testdb.PostgresEnv + " is unset: PostgreSQL not tested")
	}
	dsn := testdb.FreshPostgres(t, base)
	a := startServe(t, t.TempDir(), dsn)
	b := startServe(t, t.TempDir(), dsn)
	if _, err := os.Stat(filepath.Join(b.dataDir, "admin.token")); err == nil {
		t.Errorf("the second node wrote an admin token of its own; the database already had one")
	}
	if !strings.Contains(b.stderr.String(), "PROVISIO_ADMIN_TOKEN") {
		t.Errorf("the second node did not say where the admin token is:\n%s", b.stderr)
	}
	ten := a.createTenant(t, "Shared", "--policy", "entra")
	urls := []string{ten.TenantURL, b.base + "/scim/" + ten.ID + "/v2"} // one tenant, two nodes

	const n = 20
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := scimDo(t, "POST", urls[i%2]+"/Users", ten.Token, userJSON(fmt.Sprintf("u%d@shared.example", i)))
			if r.status != http.StatusCreated {
				t.Errorf("POST user %d on node %d = %d %s", i, i%2, r.status, r.raw)
				return
			}
			ids[i], _ = r.body["id"].(string)
		})
	}
	wg.Wait()
	for i := range n {
		// The other node refuses the same userName, in another letter case.
		r := scimDo(t, "POST", urls[(i+1)%2]+"/Users", ten.Token, userJSON(fmt.Sprintf("U%d@Shared.example", i)))
		if r.status != http.StatusConflict || r.body["scimType"] != "uniqueness" {
			t.Errorf("POST user %d again on the other node = %d %s, want 409 uniqueness", i, r.status, r.raw)
		}
	}

	r := scimDo(t, "POST", urls[1]+"/Groups", ten.Token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Everyone","members":[]}`)
	if r.status != http.StatusCreated {
		t.Fatalf("POST group = %d %s", r.status, r.raw)
	}
	group, _ := r.body["id"].(string)
	for i := range n {
		wg.Go(func() {
			r := scimDo(t, "PATCH", urls[i%2]+"/Groups/"+group, ten.Token,
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+ids[i]+`"}]}]}`)
			if r.status != http.StatusNoContent {
				t.Errorf("PATCH add member %d on node %d = %d %s", i, i%2, r.status, r.raw)
			}
		})
	}
	wg.Wait()
	for node, u := range urls {
		r := scimDo(t, "GET", u+"/Groups/"+group, ten.Token, "")
		var got []string
		members, _ := r.body["members"].([]any)
		for _, m := range members {
			v, _ := m.(map[string]any)["value"].(string)
			got = append(got, v)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(ids))
		if !slices.Equal(got, want) {
			t.Errorf("node %d: group has %d members, want all %d (an update was lost)", node, len(got), n)
		}
	}
	r = scimDo(t, "GET", urls[1]+"/Users?filter="+url.QueryEscape(`userName eq "U7@SHARED.example"`), ten.Token, "")
	if r.body["totalResults"] != float64(1) {
		t.Errorf("node 1 filter = %s, want the user created on node 1", r.raw)
	}

	var page eventsPage
	a.cliJSON(t, &page, "tenant", "events", ten.ID, "--limit", "1000")
	ops := map[string]int{}
	last := int64(0)
	for _, e := range page.Events {
		ops[e.ResourceType+" "+e.Op]++
		if e.Seq <= last {
			t.Errorf("event seq %d after %d: the feed is out of order", e.Seq, last)
		}
		last = e.Seq
	}
	if want := map[string]int{"User create": n, "Group create": 1, "Group update": n}; !maps.Equal(ops, want) {
		t.Errorf("events = %v, want %v", ops, want)
	}
}
