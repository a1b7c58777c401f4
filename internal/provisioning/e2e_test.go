package provisioning_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

func clientEq(attr, value string) client.Query { return client.Query{Filter: client.Eq(attr, value)} }

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantStats(t *testing.T, got provisioning.Stats, want provisioning.Stats) {
	t.Helper()
	got.Requests, want.Requests = 0, 0
	got.Unchanged, want.Unchanged = 0, 0
	if got != want {
		t.Errorf("Run() stats = %+v, want %+v", got, want)
	}
}

func memberIDs(res scim.Resource) []string {
	var ids []string
	list, _ := res["members"].([]any)
	for _, m := range list {
		ids = append(ids, m.(map[string]any)["value"].(string))
	}
	slices.Sort(ids)
	return ids
}

func TestInitialCycleCreatesUsersGroupsMembersAndManagers(t *testing.T) {
	e := newEnv(t)
	e.addUsers(2)
	boss := user(3)
	e.dir.PutUser(boss)
	worker := user(4)
	worker.Manager = boss.ObjectID
	e.dir.PutUser(worker)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Sales", Members: []directory.Member{
		{ID: "u3", Kind: directory.KindUser}, {ID: "u4", Kind: directory.KindUser}, {ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	e.dir.PutUser(user(5)) // not assigned

	res := e.run()
	if res.Kind != provisioning.CycleInitial {
		t.Errorf("Run().Kind = %s, want initial", res.Kind)
	}
	wantStats(t, res.Stats, provisioning.Stats{Created: 5, Updated: 1})
	for _, n := range []string{"user1@example.com", "user2@example.com", "user3@example.com", "user4@example.com"} {
		if e.targetUser(n) == nil {
			t.Errorf("target user %s missing after the initial cycle", n)
		}
	}
	if e.targetUser("user5@example.com") != nil {
		t.Errorf("unassigned user5 was provisioned")
	}
	u1 := e.targetUser("user1@example.com")
	if u1["active"] != true || u1["externalId"] != "user1" || u1["name"].(map[string]any)["familyName"] != "Number1" {
		t.Errorf("target user1 = %v, want active, externalId user1, familyName Number1", u1)
	}
	if emails := u1["emails"].([]any); emails[0].(map[string]any)["value"] != "user1@example.com" {
		t.Errorf("target user1 emails = %v, want the work mail", emails)
	}
	bossID := e.targetUser("user3@example.com")["id"].(string)
	ext, _ := e.targetUser("user4@example.com")[scim.EnterpriseUserSchema].(map[string]any)
	if mgr, _ := ext["manager"].(map[string]any); mgr["value"] != bossID {
		t.Errorf("user4 manager = %v, want the target id of user3 %s", ext["manager"], bossID)
	}
	lr, err := e.target.List(context.Background(), "Groups", clientEq("displayName", "Sales"))
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("target group Sales: %v, %v", lr, err)
	}
	var want []string
	for _, n := range []string{"user1@example.com", "user3@example.com", "user4@example.com"} {
		want = append(want, e.targetUser(n)["id"].(string))
	}
	slices.Sort(want)
	g, err := e.target.Get(context.Background(), "Groups", lr.Resources[0]["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(g); !slices.Equal(got, want) {
		t.Errorf("target group members = %v, want %v", got, want)
	}
	if g["externalId"] != "g1" {
		t.Errorf("target group externalId = %v, want g1", g["externalId"])
	}
}

func TestIncrementalWithNothingChangedSendsNoRequest(t *testing.T) {
	e := newEnv(t)
	e.addUsers(20)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "All", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	e.run()
	res := e.run()
	if got := e.count.reset(); len(got) != 0 || res.Stats.Requests != 0 {
		t.Errorf("incremental cycle with nothing changed sent %v (stats %d), want no request", got, res.Stats.Requests)
	}
	if res.Kind != provisioning.CycleIncremental || res.Stats.Unchanged != 0 {
		t.Errorf("Run() = kind %s, unchanged %d; want incremental with nothing evaluated", res.Kind, res.Stats.Unchanged)
	}
	if err := e.engine.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	res = e.run()
	if got := e.count.reset(); len(got) != 0 || res.Stats.Unchanged != 21 {
		t.Errorf("initial cycle after restart: requests %v, unchanged %d; want none and 21", got, res.Stats.Unchanged)
	}
}

func TestChangeOneAttributeSendsOnePatch(t *testing.T) {
	e := newEnv(t)
	e.addUsers(5)
	e.run()
	e.dir.UpdateUser("u2", func(u *directory.User) { u.Surname = "Lee"; u.Department = "Sales" })
	res := e.run()
	got := e.count.reset()
	if len(got) != 1 || !strings.HasPrefix(got[0], "PATCH /Users/") || res.Stats.Requests != 1 {
		t.Fatalf("requests = %v (stats %d), want one PATCH", got, res.Stats.Requests)
	}
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
	u := e.targetUser("user2@example.com")
	if u["name"].(map[string]any)["familyName"] != "Lee" {
		t.Errorf("target familyName = %v, want Lee", u["name"])
	}
	if ext, _ := u[scim.EnterpriseUserSchema].(map[string]any); ext["department"] != "Sales" {
		t.Errorf("target department = %v, want Sales", ext)
	}
	var entry *provisioning.LogEntry
	for _, l := range e.logs.Entries() {
		if l.Action == provisioning.ActionUpdate {
			entry = &l
		}
	}
	if entry == nil || entry.CycleID != res.CycleID || entry.Status != provisioning.StatusSuccess {
		t.Fatalf("update log entry = %+v, want a success in cycle %s", entry, res.CycleID)
	}
	wantMod := provisioning.ModifiedProperty{Name: "name.familyName", Old: "Number2", New: "Lee"}
	if !slices.Contains(entry.Modified, wantMod) {
		t.Errorf("log modified = %+v, want it to contain %+v", entry.Modified, wantMod)
	}
}

func TestDeprovisioningAndReEnable(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *env)
		undo   func(e *env)
	}{
		{"unassigned",
			func(e *env) { e.dir.Unassign(appID, "u2") },
			func(e *env) {
				e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "u2", PrincipalKind: directory.KindUser})
			}},
		{"soft-deleted",
			func(e *env) { e.dir.SoftDeleteUser("u2") },
			func(e *env) { e.dir.RestoreUser("u2") }},
		{"disabled",
			func(e *env) { e.dir.UpdateUser("u2", func(u *directory.User) { u.AccountEnabled = false }) },
			func(e *env) { e.dir.UpdateUser("u2", func(u *directory.User) { u.AccountEnabled = true }) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.addUsers(3)
			e.run()
			tt.change(e)
			res := e.run()
			if got := e.count.reset(); len(got) != 1 || !strings.HasPrefix(got[0], "PATCH /Users/") {
				t.Errorf("requests after %s = %v, want one PATCH", tt.name, got)
			}
			wantStats(t, res.Stats, provisioning.Stats{Disabled: 1})
			if u := e.targetUser("user2@example.com"); u["active"] != false {
				t.Errorf("target active after %s = %v, want false", tt.name, u["active"])
			}
			e.run()
			if got := e.count.reset(); len(got) != 0 {
				t.Errorf("second cycle after %s sent %v, want nothing", tt.name, got)
			}
			tt.undo(e)
			res = e.run()
			wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
			if u := e.targetUser("user2@example.com"); u["active"] != true {
				t.Errorf("target active after undoing %s = %v, want true", tt.name, u["active"])
			}
		})
	}
}

func TestHardDeleteSendsDelete(t *testing.T) {
	tests := []struct {
		name   string
		before func(e *env) // a change and a cycle before the hard delete
	}{
		{"active user", func(*env) {}},
		// Entra stops managing unassigned users and so never deletes them
		// (azure-docs#30269); Provisio keeps the link and deletes.
		{"after soft delete", func(e *env) { e.dir.SoftDeleteUser("u3"); e.run() }},
		{"after unassign", func(e *env) { e.dir.Unassign(appID, "u3"); e.run() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.addUsers(3)
			e.run()
			tt.before(e)
			e.dir.HardDeleteUser("u3")
			res := e.run()
			if got := e.count.reset(); len(got) != 1 || !strings.HasPrefix(got[0], "DELETE /Users/") {
				t.Errorf("requests after a hard delete = %v, want one DELETE", got)
			}
			wantStats(t, res.Stats, provisioning.Stats{Deleted: 1})
			if u := e.targetUser("user3@example.com"); u != nil {
				t.Errorf("target user3 = %v after a hard delete, want none", u)
			}
			if _, ok := e.links.Get(provisioning.TypeUser, "u3"); ok {
				t.Errorf("link of u3 kept after its delete")
			}
		})
	}
}

func TestGroupMembershipFollowsAssignments(t *testing.T) {
	e := newEnv(t)
	e.addUsers(2)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	e.run()
	// A nested group brings its members into scope; the new member is
	// created, then added to the target group.
	e.dir.PutUser(user(7))
	e.dir.PutGroup(directory.Group{ObjectID: "g2", DisplayName: "Nested", Members: []directory.Member{{ID: "u7", Kind: directory.KindUser}}})
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{
		{ID: "u1", Kind: directory.KindUser}, {ID: "u2", Kind: directory.KindUser}, {ID: "g2", Kind: directory.KindGroup}}})
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1, Updated: 1})
	lr, err := e.target.List(context.Background(), "Groups", clientEq("displayName", "Ops"))
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("target group Ops: %v, %v", lr, err)
	}
	g, err := e.target.Get(context.Background(), "Groups", lr.Resources[0]["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{e.targetUser("user1@example.com")["id"].(string), e.targetUser("user2@example.com")["id"].(string)}
	slices.Sort(want)
	if got := memberIDs(g); !slices.Equal(got, want) {
		t.Errorf("target members = %v, want %v (u1, u2; the nested group itself is not provisioned)", got, want)
	}
	if e.targetUser("user7@example.com") == nil {
		t.Errorf("member of a nested group was not provisioned")
	}
}

func TestCrashMidCycleConvergesWithoutDuplicates(t *testing.T) {
	for _, stopAfter := range []int64{1, 7, 20} {
		e := newEnv(t)
		e.addUsers(30)
		ctx, cancel := context.WithCancel(context.Background())
		e.count.cancelAfter(stopAfter, cancel)
		_, err := e.engine.Run(ctx)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run(ctx cancelled after %d requests) error = %v, want context.Canceled", stopAfter, err)
		}
		if _, ok, _ := e.links.Watermark(context.Background()); ok {
			t.Errorf("watermark advanced by an interrupted cycle")
		}
		e.count.cancelAfter(0, nil)
		res := e.run()
		if res.Stats.Failed != 0 {
			t.Errorf("rerun after a crash at request %d: %d failures, want 0", stopAfter, res.Stats.Failed)
		}
		if n := e.targetCount("Users"); n != 30 {
			t.Errorf("target users after a crash at request %d and a rerun = %d, want 30", stopAfter, n)
		}
		e.run()
		if got := e.count.reset(); len(got) != 0 {
			t.Errorf("third cycle after a crash at request %d sent %v, want nothing", stopAfter, got)
		}
	}
}

func TestFailingObjectDoesNotStopTheCycle(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	e.addUsers(5)
	e.fault.set(func(r *http.Request, body string) bool {
		return r.Method == http.MethodPost && strings.Contains(body, "user3@example.com")
	})
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 4, Failed: 1})
	l, ok := e.links.Get(provisioning.TypeUser, "u3")
	if !ok || l.Attempts != 1 || l.State != provisioning.LinkPendingCreate || l.LastError == "" || l.NextRetry.IsZero() {
		t.Errorf("link of the failed object = %+v, want pending create with 1 attempt, an error and a next retry", l)
	}
	var failed []provisioning.LogEntry
	for _, le := range e.logs.Entries() {
		if le.Status == provisioning.StatusFailure {
			failed = append(failed, le)
		}
	}
	if len(failed) != 1 || failed[0].SourceID != "u3" || failed[0].ErrorCode != "http-500" {
		t.Errorf("failure log entries = %+v, want one for u3 with code http-500", failed)
	}
	e.fault.set(nil)
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{}) // waiting for its retry time
	e.advance(2 * time.Minute)
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1})
	if l, _ := e.links.Get(provisioning.TypeUser, "u3"); l.Attempts != 0 || l.TargetID == "" {
		t.Errorf("link after the retry = %+v, want linked with no failures", l)
	}
}

func TestPlanWritesNothing(t *testing.T) {
	e := newEnv(t)
	e.addUsers(3)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	plan, err := e.engine.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.count.reset() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("Plan() sent %s, want reads only", r)
		}
	}
	var kinds []string
	for _, a := range plan.Actions {
		kinds = append(kinds, string(a.Type)+":"+string(a.Kind))
	}
	slices.Sort(kinds)
	want := []string{"Group:create", "User:create", "User:create", "User:create"}
	if !slices.Equal(kinds, want) {
		t.Errorf("Plan() actions = %v, want %v", kinds, want)
	}
	for _, a := range plan.Actions {
		if a.Type == provisioning.TypeGroup && !strings.Contains(string(mustJSON(t, a.Resource)), `"pending:u1"`) {
			t.Errorf("planned group = %s, want member pending:u1", mustJSON(t, a.Resource))
		}
	}
	if ls, _ := e.links.Links(context.Background(), provisioning.TypeUser); len(ls) != 0 || len(e.logs.Entries()) != 0 {
		t.Errorf("Plan() wrote %d links and %d log entries, want none", len(ls), len(e.logs.Entries()))
	}
	if e.targetCount("Users") != 0 {
		t.Errorf("Plan() created target users")
	}
}

// TestLargeGroupIsWrittenInChunks provisions a group with more members
// than one operation carries: the create holds the first
// MaxMembersPerOp, PATCH requests add the rest, and a later change sends
// one request per chunk of members changed.
func TestLargeGroupIsWrittenInChunks(t *testing.T) {
	n := 2*provisioning.MaxMembersPerOp + 10
	e := newEnv(t)
	members := make([]directory.Member, n)
	for i := range n {
		e.dir.PutUser(user(i + 1))
		members[i] = directory.Member{ID: fmt.Sprintf("u%d", i+1), Kind: directory.KindUser}
	}
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Everyone", Members: members})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	if res := e.run(); res.Stats.Created != int64(n)+1 || res.Stats.Failed != 0 {
		t.Fatalf("initial cycle stats = %+v, want %d created", res.Stats, n+1)
	}
	chunks := func(k int) int { return (k + provisioning.MaxMembersPerOp - 1) / provisioning.MaxMembersPerOp }
	if got, want := groupPatches(e.count.reset()), chunks(n-provisioning.MaxMembersPerOp); got != want {
		t.Errorf("initial cycle sent %d group PATCH requests, want %d", got, want)
	}
	wantMembers := func(want int) {
		t.Helper()
		lr, err := e.target.List(context.Background(), "Groups", clientEq("displayName", "Everyone"))
		if err != nil || len(lr.Resources) != 1 {
			t.Fatalf("target group Everyone: %v, %v", lr, err)
		}
		g, err := e.target.Get(context.Background(), "Groups", lr.Resources[0]["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := g["members"].([]any); len(got) != want {
			t.Fatalf("target group has %d members, want %d", len(got), want)
		}
	}
	wantMembers(n)

	// Remove all but the first 5 members: n-5 removals in chunks.
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Everyone", Members: members[:5]})
	res := e.run()
	reqs := e.count.reset()
	if got, wantPatches := groupPatches(reqs), chunks(n-5); got != wantPatches {
		t.Errorf("incremental cycle sent %d group PATCH requests, want %d (stats %+v)", got, wantPatches, res.Stats)
	}
	wantMembers(5)
}

func groupPatches(reqs []string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, "PATCH /Groups/") {
			n++
		}
	}
	return n
}

// TestDisabledNeverProvisionedIsLoggedOnce: an assigned user who is
// disabled and was never provisioned is skipped and logged in the cycle
// that first sees it, and again only when it changes; incremental cycles
// in between leave it alone. Enabling it creates it. A new Engine sharing
// the job's Settled (as the job service builds one per cycle) keeps that.
func TestDisabledNeverProvisionedIsLoggedOnce(t *testing.T) {
	settled := &provisioning.Settled{}
	e := newEnv(t, func(c *provisioning.Config) { c.Settled = settled })
	e.addUsers(3)
	e.dir.UpdateUser("u3", func(u *directory.User) { u.AccountEnabled = false })
	skipsOfU3 := func() int {
		n := 0
		for _, l := range e.logs.Entries() {
			if l.SourceID == "u3" && l.Action == provisioning.ActionSkip {
				n++
			}
		}
		return n
	}
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 2, Skipped: 1})
	if n := skipsOfU3(); n != 1 {
		t.Fatalf("skips of the disabled user after the initial cycle = %d, want 1", n)
	}
	for range 3 {
		res = e.run()
		wantStats(t, res.Stats, provisioning.Stats{})
	}
	if n := skipsOfU3(); n != 1 {
		t.Errorf("skips of the disabled user after 3 unchanged cycles = %d, want still 1", n)
	}

	// It changes but stays disabled: evaluated and logged once more.
	e.dir.UpdateUser("u3", func(u *directory.User) { u.Department = "Sales" })
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Skipped: 1})
	e.run()
	if n := skipsOfU3(); n != 2 {
		t.Errorf("skips of the disabled user after a change = %d, want 2", n)
	}

	// The job service builds an Engine per cycle around the job's Settled.
	e.rebuild()
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{})
	if n := skipsOfU3(); n != 2 {
		t.Errorf("skips of the disabled user after a cycle of a new Engine = %d, want still 2", n)
	}

	e.dir.UpdateUser("u3", func(u *directory.User) { u.AccountEnabled = true })
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1})
	if e.targetUser("user3@example.com") == nil {
		t.Error("the enabled user was not created")
	}
}

// TestPrunedFeedRunsInitialCycle: when the change feed no longer holds
// every change since the watermark (retention pruned some), the cycle is
// an initial one, so the lost changes still reach the target; when the
// pruning took only changes the job had read, it stays incremental.
func TestPrunedFeedRunsInitialCycle(t *testing.T) {
	e := newEnv(t)
	e.addUsers(3)
	e.run()
	e.dir.UpdateUser("u1", func(u *directory.User) { u.Surname = "One" })
	e.dir.Prune() // only changes the last cycle read, and the one kept
	res := e.run()
	if res.Kind != provisioning.CycleIncremental {
		t.Errorf("cycle after pruning what was read = %s, want incremental", res.Kind)
	}
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1})

	e.dir.UpdateUser("u2", func(u *directory.User) { u.Surname = "Two" })
	e.dir.UpdateUser("u3", func(u *directory.User) { u.Surname = "Three" })
	e.dir.Prune() // the u2 change is gone
	res = e.run()
	if res.Kind != provisioning.CycleInitial {
		t.Errorf("cycle after pruning unread changes = %s, want initial", res.Kind)
	}
	wantStats(t, res.Stats, provisioning.Stats{Updated: 2})
	for upn, want := range map[string]string{"user2@example.com": "Two", "user3@example.com": "Three"} {
		if got := e.targetUser(upn)["name"].(map[string]any)["familyName"]; got != want {
			t.Errorf("%s familyName = %v, want %s", upn, got, want)
		}
	}
	if res = e.run(); res.Kind != provisioning.CycleIncremental || res.Stats.Requests != 0 {
		t.Errorf("next cycle = %s with %d requests, want incremental with none", res.Kind, res.Stats.Requests)
	}
}
