package provisioning_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
)

// kinds lists a reconciliation's findings as "kind type name-or-source".
func kinds(r *provisioning.Reconciliation) []string {
	var out []string
	for _, f := range r.Findings {
		who := f.SourceID
		if who == "" {
			who = f.TargetName
		}
		out = append(out, string(f.Kind)+" "+string(f.Type)+" "+who)
	}
	slices.Sort(out)
	return out
}

func TestReconcileFindsAndRepairsDriftMembersOrphansAndGone(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.addUsers(3)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Ops", Members: []directory.Member{
		{ID: "u1", Kind: directory.KindUser}, {ID: "u2", Kind: directory.KindUser}}})
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	e.run()

	// The application's own admin changes things behind the job's back.
	u1 := e.targetUser("user1@example.com")["id"].(string)
	u2 := e.targetUser("user2@example.com")["id"].(string)
	u3 := e.targetUser("user3@example.com")["id"].(string)
	lr, err := e.target.List(ctx, "Groups", clientEq("displayName", "Ops"))
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("target group Ops: %v, %v", lr, err)
	}
	g1 := lr.Resources[0]["id"].(string)
	patch := func(endpoint, id, op, path string, value any) {
		t.Helper()
		o := scim.PatchOperation{Op: op, Path: path}
		o.Value, _ = json.Marshal(value)
		if _, err := e.target.Patch(ctx, endpoint, id, []scim.PatchOperation{o}); err != nil {
			t.Fatalf("PATCH %s %s: %v", endpoint, id, err)
		}
	}
	patch("Users", u1, "replace", "displayName", "Changed In The App")
	patch("Groups", g1, "remove", `members[value eq "`+u2+`"]`, nil)
	if _, err := e.target.Create(ctx, "Users", scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "orphan@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := e.target.Delete(ctx, "Users", u3); err != nil {
		t.Fatal(err)
	}

	before := len(e.logs.Entries())
	rep, err := e.engine.Reconcile(ctx, false)
	if err != nil {
		t.Fatalf("Reconcile(false) error: %v", err)
	}
	want := []string{"drift User u1", "gone User u3", "members Group g1", "orphan User orphan@example.com"}
	if got := kinds(rep); !slices.Equal(got, want) {
		t.Fatalf("Reconcile(false) findings = %v, want %v", got, want)
	}
	for _, f := range rep.Findings {
		switch {
		case f.Repaired:
			t.Errorf("Reconcile(false): %s %s repaired, want left as it is", f.Kind, f.SourceID)
		case f.Kind == provisioning.FindingDrift && (len(f.Modified) != 1 || f.Modified[0].Old != "Changed In The App" || f.Modified[0].New != "User 1"):
			t.Errorf("drift of u1: modified = %+v, want displayName Changed In The App → User 1", f.Modified)
		case f.Kind == provisioning.FindingMembers && (len(f.Added) != 0 || !slices.Equal(f.Removed, []string{u2})):
			t.Errorf("members of g1: added %v removed %v, want none and [%s]", f.Added, f.Removed, u2)
		}
	}
	logged := e.logs.Entries()[before:]
	if got := len(logged); got != 4 {
		t.Errorf("Reconcile(false) logged %d entries, want 4 (one per finding)", got)
	}
	for _, le := range logged {
		if le.Status != provisioning.StatusWarning || !strings.HasPrefix(le.Reason, "reconcile: ") || le.CycleID != rep.CycleID {
			t.Errorf("log entry %s %s: status %s reason %q cycle %s, want warning, reconcile: …, %s",
				le.SourceID, le.TargetID, le.Status, le.Reason, le.CycleID, rep.CycleID)
		}
	}

	rep, err = e.engine.Reconcile(ctx, true)
	if err != nil {
		t.Fatalf("Reconcile(true) error: %v", err)
	}
	for _, f := range rep.Findings {
		if want := f.Kind != provisioning.FindingOrphan; f.Repaired != want {
			t.Errorf("Reconcile(true): %s %s repaired = %t, want %t (%s)", f.Kind, f.SourceID, f.Repaired, want, f.Error)
		}
	}
	if got := e.targetUser("user1@example.com")["displayName"]; got != "User 1" {
		t.Errorf("after repair: u1 displayName = %v, want User 1", got)
	}
	g, err := e.target.Get(ctx, "Groups", g1)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := memberIDs(g), []string{u1, u2}; !slices.Equal(got, sorted(want)) {
		t.Errorf("after repair: g1 members = %v, want %v", got, sorted(want))
	}
	if e.targetUser("orphan@example.com") == nil {
		t.Errorf("after repair: the orphan was deleted, want it left")
	}

	rep, err = e.engine.Reconcile(ctx, false)
	if err != nil {
		t.Fatalf("second Reconcile(false) error: %v", err)
	}
	if got, want := kinds(rep), []string{"orphan User orphan@example.com"}; !slices.Equal(got, want) {
		t.Errorf("second Reconcile(false) findings = %v, want %v", got, want)
	}
	// The dropped link: the next cycle creates the account again.
	e.run()
	if e.targetUser("user3@example.com") == nil {
		t.Errorf("the cycle after repair did not create user3 again")
	}
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
