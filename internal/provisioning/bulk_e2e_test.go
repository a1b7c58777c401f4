package provisioning_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

func withBulk(c *provisioning.Config) { c.Bulk = true }

// requestsTo counts the recorded requests "METHOD /path" starting with
// prefix.
func requestsTo(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// TestBulkInitialAndUpdateCycles: with Bulk on, the creates of an initial
// cycle and the updates of the next go in Bulk requests (RFC 7644 §3.7),
// within the target's maxOperations, and the target ends exactly as
// without Bulk: every user once, with its attributes, group members and
// links.
func TestBulkInitialAndUpdateCycles(t *testing.T) {
	e := newEnv(t, withBulk)
	const n = 2500 // more than one plan chunk and than maxOperations (1000)
	e.addUsers(n)
	var members []directory.Member
	for i := 1; i <= 10; i++ {
		members = append(members, directory.Member{ID: fmt.Sprintf("u%d", i), Kind: directory.KindUser})
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Sales", Members: members})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})

	e.count.reset()
	res, err := e.engine.Run(t.Context())
	if err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	reqs := e.count.reset()
	wantStats(t, res.Stats, provisioning.Stats{Created: n + 1})
	bulks := requestsTo(reqs, "POST /Bulk")
	if bulks < 3 || bulks > 12 || requestsTo(reqs, "POST /Users") != 0 {
		t.Errorf("initial cycle sent %d Bulk requests and %d POST /Users, want 3..12 Bulk and no single POST", bulks, requestsTo(reqs, "POST /Users"))
	}
	if res.Stats.Requests > 20 {
		t.Errorf("Stats.Requests = %d, want at most 20", res.Stats.Requests)
	}
	if got := e.targetCount("Users"); got != n {
		t.Fatalf("target has %d users, want %d", got, n)
	}
	u7 := e.targetUser("user7@example.com")
	if u7 == nil || u7["externalId"] != "user7" || u7["active"] != true {
		t.Fatalf("target user7 = %v", u7)
	}
	if l, ok := e.links.Get(provisioning.TypeUser, "u7"); !ok || l.TargetID != u7["id"] || l.State != provisioning.LinkActive {
		t.Errorf("link of u7 = %+v, %v; want active to %v", l, ok, u7["id"])
	}
	lr, err := e.target.List(t.Context(), "Groups", clientEq("displayName", "Sales"))
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("target group Sales: %v, %v", lr, err)
	}
	g, err := e.target.Get(t.Context(), "Groups", lr.Resources[0]["id"].(string))
	if err != nil || len(memberIDs(g)) != 10 {
		t.Fatalf("target group = %v, %v; want 10 members", g, err)
	}

	// Updates: 300 surnames change; they go as PATCH operations in Bulk.
	e.advance(time.Minute)
	for i := 1; i <= 300; i++ {
		u := user(i)
		u.Surname = fmt.Sprintf("Changed%d", i)
		e.dir.PutUser(u)
	}
	res = e.run()
	reqs = e.count.reset()
	wantStats(t, res.Stats, provisioning.Stats{Updated: 300})
	if requestsTo(reqs, "PATCH ") != 0 || requestsTo(reqs, "POST /Bulk") == 0 {
		t.Errorf("update cycle sent %v, want Bulk requests only", reqs)
	}
	u7 = e.targetUser("user7@example.com")
	if name, _ := u7["name"].(map[string]any); name["familyName"] != "Changed7" {
		t.Errorf("target user7 name = %v, want familyName Changed7", u7["name"])
	}
	// Nothing changed: no request at all, not even discovery.
	e.run()
	if reqs := e.count.reset(); len(reqs) != 0 {
		t.Errorf("cycle with nothing changed sent %v, want nothing", reqs)
	}
	if len(e.logs.Entries()) < n+1+300 {
		t.Errorf("%d log entries, want one per object and action (%d)", len(e.logs.Entries()), n+1+300)
	}
}

// TestBulkConflictMatchesExisting: a create answered 409 (uniqueness)
// inside a Bulk response is handled like a single POST's 409: the object
// is looked up by its matching attribute and linked, not failed.
func TestBulkConflictMatchesExisting(t *testing.T) {
	e := newEnv(t, withBulk)
	e.addUsers(5)
	// user3 is already on the target, created outside the engine.
	if _, err := e.target.Create(t.Context(), "Users", scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "user3@example.com"}); err != nil {
		t.Fatal(err)
	}
	// Listing the target would find it before any create: match per
	// object instead, so that the create is what meets the conflict.
	e.cfg.ListThreshold = -1
	e.cfg.Bulk = true
	e.rebuild()
	res := e.run()
	if res.Stats.Failed != 0 || res.Stats.Created != 4 || res.Stats.Matched != 1 {
		t.Fatalf("stats = %+v, want 4 created and 1 matched (the 409), none failed", res.Stats)
	}
	if got := e.targetCount("Users"); got != 5 {
		t.Errorf("target has %d users, want 5 (no duplicate)", got)
	}
}

// TestBulkLostAnswerNoDuplicates: a Bulk request applied by the target
// whose answer is lost fails its creates as lost answers; each is looked
// up before it is sent again, so the target ends without duplicates.
func TestBulkLostAnswerNoDuplicates(t *testing.T) {
	e := newEnv(t, withBulk)
	e.addUsers(40)
	dropped := false
	e.fault.setInject(func(r *http.Request, _ string) injected {
		if r.URL.Path == "/Bulk" && !dropped {
			dropped = true
			return injected{apply: true, drop: true}
		}
		return injected{}
	})
	res, err := e.engine.Run(t.Context())
	if err != nil {
		t.Fatalf("Run() error: %v", err)
	}
	if !dropped {
		t.Fatal("no Bulk request was sent")
	}
	if got := e.targetCount("Users"); got != 40 {
		t.Errorf("target has %d users, want 40 (no duplicate)", got)
	}
	if res.Stats.Failed != 0 || res.Stats.Created+res.Stats.Matched != 40 {
		t.Errorf("stats = %+v, want 40 created or matched, none failed", res.Stats)
	}
}

// TestBulkRefusedFallsBackToSingle: a target that advertises Bulk but
// answers 501 to it still gets every object, one request each.
func TestBulkRefusedFallsBackToSingle(t *testing.T) {
	e := newEnv(t, withBulk)
	e.addUsers(30)
	e.fault.setInject(func(r *http.Request, _ string) injected {
		if r.URL.Path == "/Bulk" {
			return injected{status: http.StatusNotImplemented}
		}
		return injected{}
	})
	res := e.run()
	if res.Stats.Created != 30 || res.Stats.Failed != 0 {
		t.Errorf("stats = %+v, want 30 created", res.Stats)
	}
	if got := e.targetCount("Users"); got != 30 {
		t.Errorf("target has %d users, want 30", got)
	}
}

// TestBulkOffByDefault: without the setting no Bulk request is sent.
func TestBulkOffByDefault(t *testing.T) {
	e := newEnv(t)
	e.addUsers(10)
	e.count.reset()
	if _, err := e.engine.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if reqs := e.count.reset(); requestsTo(reqs, "POST /Bulk") != 0 || requestsTo(reqs, "GET /ServiceProviderConfig") != 0 {
		t.Errorf("requests = %v, want neither Bulk nor discovery", reqs)
	}
}
