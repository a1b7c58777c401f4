package provisioning_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/internal/provisioning"
)

// filters builds scoping filters: one filter per list of clauses.
func filters(t testing.TB, fs ...[]string) scoping.Filters {
	t.Helper()
	var out scoping.Filters
	for _, clauses := range fs {
		var f scoping.Filter
		for _, s := range clauses {
			c, err := scoping.ParseClause(s)
			if err != nil {
				t.Fatalf("ParseClause(%q) = %v", s, err)
			}
			f.Clauses = append(f.Clauses, c)
		}
		out = append(out, f)
	}
	return out
}

// userFilters sets the user mapping's scoping filters.
func userFilters(t testing.TB, fs ...[]string) func(*provisioning.Config) {
	sc := filters(t, fs...)
	return func(c *provisioning.Config) { c.Users.Scoping = sc }
}

func skipOutOfScope(c *provisioning.Config) { c.SkipOutOfScopeDeletions = true }

// addUserIn creates user n, assigned directly, in a department.
func (e *env) addUserIn(n int, dept string) {
	u := user(n)
	u.Department = dept
	e.dir.PutUser(u)
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser})
}

// wantActive checks the target user's active flag; absent: the user is
// not on the target.
func (e *env) wantActive(step, userName string, active, present bool) {
	e.t.Helper()
	u := e.targetUser(userName)
	switch {
	case !present && u != nil:
		e.t.Errorf("%s: target user %s = %v, want none", step, userName, u)
	case present && u == nil:
		e.t.Errorf("%s: target user %s missing", step, userName)
	case present && u["active"] != active:
		e.t.Errorf("%s: target user %s active = %v, want %v", step, userName, u["active"], active)
	}
}

// lastReason returns the reason of the last log entry of a source object.
func (e *env) lastReason(sourceID string) (provisioning.ActionKind, string) {
	var kind provisioning.ActionKind
	var reason string
	for _, l := range e.logs.Entries() {
		if l.SourceID == sourceID {
			kind, reason = l.Action, l.Reason
		}
	}
	return kind, reason
}

func TestScopingFilterFollowsTheAttribute(t *testing.T) {
	e := newEnv(t, userFilters(t, []string{"department EQUALS Sales"}))
	e.addUserIn(1, "Sales")
	e.addUserIn(2, "Sales")
	e.addUserIn(3, "Marketing")

	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 2, Skipped: 1})
	e.wantActive("initial", "user3@example.com", false, false)
	if kind, why := e.lastReason("u3"); kind != provisioning.ActionSkip || why != "not provisioned: out of scope: scoping filter: department EQUALS Sales is false" {
		t.Errorf("log of u3 = %s %q, want a skip out of scope naming the clause", kind, why)
	}
	if res := e.run(); res.Stats.Skipped != 0 || res.Stats.Unchanged != 0 {
		t.Errorf("second cycle = %+v, want the out-of-scope skip settled (nothing evaluated)", res.Stats)
	}

	e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "Marketing" })
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Disabled: 1})
	e.wantActive("leaving Sales", "user1@example.com", false, true)
	if _, why := e.lastReason("u1"); !strings.HasPrefix(why, "out of scope: scoping filter: department EQUALS Sales is false") {
		t.Errorf("disable reason of u1 = %q, want out of scope by the filter", why)
	}
	e.run()
	if res := e.run(); res.Stats != (provisioning.Stats{}) {
		t.Errorf("cycles after the disable = %+v, want nothing evaluated", res.Stats)
	}

	e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "Sales" })
	e.dir.UpdateUser("u3", func(u *directory.User) { u.Department = "Sales" })
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1, Updated: 1})
	e.wantActive("back in Sales", "user1@example.com", true, true)
	e.wantActive("into Sales", "user3@example.com", true, true)
}

func TestScopingFiltersOr(t *testing.T) {
	e := newEnv(t, userFilters(t,
		[]string{"department EQUALS Sales", "accountEnabled IS TRUE"},
		[]string{"jobTitle EQUALS Boss"}))
	e.addUserIn(1, "Sales")
	e.addUserIn(2, "Marketing")
	e.dir.UpdateUser("u2", func(u *directory.User) { u.JobTitle = "Boss" })
	e.addUserIn(3, "Marketing")
	e.run()
	e.wantActive("first filter", "user1@example.com", true, true)
	e.wantActive("second filter", "user2@example.com", true, true)
	e.wantActive("neither", "user3@example.com", false, false)
	const want = "not provisioned: out of scope: no scoping filter matched (2 filters); filter 2: jobTitle EQUALS Boss is false (jobTitle is empty)"
	if _, why := e.lastReason("u3"); why != want {
		t.Errorf("log of u3 = %q, want %q", why, want)
	}
}

func TestScopingMemberOfNestedGroup(t *testing.T) {
	for _, ref := range []string{"staff", "g-staff"} {
		t.Run(ref, func(t *testing.T) {
			e := newEnv(t, userFilters(t, []string{"MEMBER_OF " + ref}))
			e.addUsers(4)
			e.dir.PutGroup(directory.Group{ObjectID: "g-eng", DisplayName: "Engineers", Members: []directory.Member{{ID: "u2", Kind: directory.KindUser}}})
			e.dir.PutGroup(directory.Group{ObjectID: "g-staff", DisplayName: "Staff", Members: []directory.Member{
				{ID: "u1", Kind: directory.KindUser}, {ID: "g-eng", Kind: directory.KindGroup}}})
			e.run()
			e.wantActive("direct member", "user1@example.com", true, true)
			e.wantActive("nested member", "user2@example.com", true, true)
			e.wantActive("no member", "user3@example.com", false, false)

			// The feed names the groups, not the members who move.
			e.dir.PutGroup(directory.Group{ObjectID: "g-eng", DisplayName: "Engineers", Members: []directory.Member{{ID: "u3", Kind: directory.KindUser}}})
			res := e.run()
			wantStats(t, res.Stats, provisioning.Stats{Created: 1, Disabled: 1})
			e.wantActive("left the nested group", "user2@example.com", false, true)
			e.wantActive("joined the nested group", "user3@example.com", true, true)
			if _, why := e.lastReason("u2"); !strings.Contains(why, "MEMBER_OF "+ref+" is false") {
				t.Errorf("disable reason of u2 = %q, want the MEMBER_OF clause", why)
			}

			e.dir.PutGroup(directory.Group{ObjectID: "g-staff", DisplayName: "Staff", Members: []directory.Member{
				{ID: "u1", Kind: directory.KindUser}, {ID: "g-eng", Kind: directory.KindGroup}, {ID: "u2", Kind: directory.KindUser}}})
			res = e.run()
			wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
			e.wantActive("back in directly", "user2@example.com", true, true)
			if res := e.run(); res.Stats != (provisioning.Stats{}) {
				t.Errorf("cycle with no change = %+v, want nothing evaluated", res.Stats)
			}
		})
	}
}

func TestScopingMemberOfAfterRestartOfTheServer(t *testing.T) {
	// A new Settled (a server restart) knows no membership of the last
	// cycle: a group change makes the cycle evaluate every assigned user.
	e := newEnv(t, userFilters(t, []string{"MEMBER_OF Staff"}))
	e.addUsers(3)
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Staff", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}, {ID: "u2", Kind: directory.KindUser}}})
	e.run()
	e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Staff", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}, {ID: "u3", Kind: directory.KindUser}}})
	e.rebuild()
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1, Disabled: 1})
	e.wantActive("removed", "user2@example.com", false, true)
	e.wantActive("added", "user3@example.com", true, true)
}

func TestScopingMemberOfUnresolved(t *testing.T) {
	t.Run("ambiguous name", func(t *testing.T) {
		e := newEnv(t, userFilters(t, []string{"MEMBER_OF Sales"}))
		e.addUsers(1)
		e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Sales"})
		e.dir.PutGroup(directory.Group{ObjectID: "g2", DisplayName: "SALES"})
		_, err := e.engine.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), `MEMBER_OF "Sales": 2 groups have that name (object ids g1, g2)`) {
			t.Errorf("Run() error = %v, want the ambiguous name with both ids", err)
		}
		if n := e.targetCount("Users"); n != 0 {
			t.Errorf("target users = %d after a failed cycle, want 0", n)
		}
	})
	t.Run("missing group", func(t *testing.T) {
		var logs bytes.Buffer
		e := newEnv(t, userFilters(t, []string{"MEMBER_OF Nobody"}), func(c *provisioning.Config) {
			c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		})
		e.addUsers(2)
		res := e.run()
		wantStats(t, res.Stats, provisioning.Stats{Skipped: 2})
		e.advance(time.Minute)
		e.dir.UpdateUser("u1", func(u *directory.User) { u.Department = "x" })
		e.run()
		if n := strings.Count(logs.String(), "MEMBER_OF clause names"); n != 1 {
			t.Errorf("warnings about the missing group = %d, want 1:\n%s", n, logs.String())
		}
		e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "Nobody", Members: []directory.Member{{ID: "u2", Kind: directory.KindUser}}})
		res = e.run()
		wantStats(t, res.Stats, provisioning.Stats{Created: 1})
	})
}

func TestSkipOutOfScopeDeletions(t *testing.T) {
	tests := []struct {
		name       string
		change     func(e *env)
		wantActive bool
		wantReason string
	}{
		{"unassigned", func(e *env) { e.dir.Unassign(appID, "u2") }, true,
			"not assigned to the application; SkipOutOfScopeDeletions is set, so the account is left as it is"},
		{"failing the filter", func(e *env) { e.dir.UpdateUser("u2", func(u *directory.User) { u.Department = "Marketing" }) }, true,
			"out of scope: scoping filter: department EQUALS Sales is false; SkipOutOfScopeDeletions is set, so the account is left as it is"},
		// A block in the directory is a deprovisioning of its own: the
		// flag is about scope.
		{"disabled in the directory", func(e *env) { e.dir.UpdateUser("u2", func(u *directory.User) { u.AccountEnabled = false }) }, false,
			"disabled in the directory (accountEnabled=false)"},
		{"failing the filter and soft-deleted", func(e *env) {
			e.dir.UpdateUser("u2", func(u *directory.User) { u.Department = "Marketing" })
			e.dir.SoftDeleteUser("u2")
		}, false, "out of scope: scoping filter: department EQUALS Sales is false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, userFilters(t, []string{"department EQUALS Sales"}), skipOutOfScope)
			e.addUserIn(1, "Sales")
			e.addUserIn(2, "Sales")
			e.run()
			tt.change(e)
			e.run()
			e.wantActive(tt.name, "user2@example.com", tt.wantActive, true)
			if _, why := e.lastReason("u2"); why != tt.wantReason {
				t.Errorf("log of u2 after %s = %q, want %q", tt.name, why, tt.wantReason)
			}
			if res := e.run(); res.Stats != (provisioning.Stats{}) {
				t.Errorf("cycle after %s = %+v, want nothing evaluated", tt.name, res.Stats)
			}
		})
	}
}

func TestSkipOutOfScopeDeletionsThenBackInScope(t *testing.T) {
	// Changes made while the user was out of scope flow when it is back.
	// Assigned through a group, the user leaves and re-enters scope
	// without a change of its own in the feed.
	e := newEnv(t, skipOutOfScope, func(c *provisioning.Config) { c.Groups.Disabled = true })
	e.dir.PutUser(user(1))
	staff := func(ids ...string) directory.Group {
		g := directory.Group{ObjectID: "g1", DisplayName: "Staff"}
		for _, id := range ids {
			g.Members = append(g.Members, directory.Member{ID: id, Kind: directory.KindUser})
		}
		return g
	}
	e.dir.PutGroup(staff("u1"))
	e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: "g1", PrincipalKind: directory.KindGroup})
	e.run()
	e.dir.PutGroup(staff())
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Skipped: 1})
	e.dir.UpdateUser("u1", func(u *directory.User) { u.Surname = "Lee" })
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Skipped: 1})
	if res := e.run(); res.Stats != (provisioning.Stats{}) {
		t.Errorf("cycle with no change = %+v, want nothing evaluated", res.Stats)
	}
	e.dir.PutGroup(staff("u1"))
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
	u := e.targetUser("user1@example.com")
	if u["active"] != true || u["name"].(map[string]any)["familyName"] != "Lee" {
		t.Errorf("target user1 back in scope = %v, want active with familyName Lee", u)
	}
}

func TestScopingRelativeDate(t *testing.T) {
	// The clock starts at 2026-01-01T00:00:00Z.
	e := newEnv(t, userFilters(t, []string{"extension_hireDate OLDER_THAN 0d"}))
	for n, hired := range map[int]string{1: "2025-12-01", 2: "2026-01-05", 3: ""} {
		u := user(n)
		if hired != "" {
			u.Extensions = map[string]string{"extension_hireDate": hired}
		}
		e.dir.PutUser(u)
		e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: u.ObjectID, PrincipalKind: directory.KindUser})
	}
	e.run()
	e.wantActive("started", "user1@example.com", true, true)
	e.wantActive("not started", "user2@example.com", false, false)
	e.advance(3 * 24 * time.Hour)
	if res := e.run(); res.Stats.Created != 0 {
		t.Errorf("cycle before the hire date = %+v, want nothing created", res.Stats)
	}
	e.advance(2 * 24 * time.Hour)
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 1})
	e.wantActive("started since", "user2@example.com", true, true)
	e.wantActive("no hire date", "user3@example.com", false, false)
}

func TestScopingGroupFilter(t *testing.T) {
	tests := []struct {
		name      string
		skip      bool
		wantStats provisioning.Stats
		wantLeft  int
	}{
		{"deleted when out of scope", false, provisioning.Stats{Deleted: 1}, 0},
		{"kept with SkipOutOfScopeDeletions", true, provisioning.Stats{Skipped: 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *provisioning.Config) {
				c.Groups.Scoping = filters(t, []string{"displayName ENDS_WITH -app"})
				c.SkipOutOfScopeDeletions = tt.skip
			})
			e.addUsers(1)
			for _, g := range []directory.Group{{ObjectID: "g1", DisplayName: "sales-app"}, {ObjectID: "g2", DisplayName: "Sales"}} {
				g.Members = []directory.Member{{ID: "u1", Kind: directory.KindUser}}
				e.dir.PutGroup(g)
				e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: g.ObjectID, PrincipalKind: directory.KindGroup})
			}
			e.run()
			if n := e.targetCount("Groups"); n != 1 {
				t.Errorf("target groups = %d, want 1 (sales-app)", n)
			}
			e.dir.PutGroup(directory.Group{ObjectID: "g1", DisplayName: "sales", Members: []directory.Member{{ID: "u1", Kind: directory.KindUser}}})
			res := e.run()
			wantStats(t, res.Stats, tt.wantStats)
			if n := e.targetCount("Groups"); n != tt.wantLeft {
				t.Errorf("target groups = %d after the rename, want %d", n, tt.wantLeft)
			}
		})
	}
}

func TestScopingFilterInvalid(t *testing.T) {
	cfg := provisioning.Config{Users: provisioning.DefaultUserMapping(), Groups: provisioning.DefaultGroupMapping()}
	cfg.Users.Scoping = scoping.Filters{{Clauses: []scoping.Clause{{Attribute: "department", Operator: "SOUNDS_LIKE", Value: "x"}}}}
	if err := provisioning.CheckMappings(cfg.Users, cfg.Groups); err == nil || !strings.Contains(err.Error(), "User mapping: compile scoping filters") {
		t.Errorf("CheckMappings(unknown operator) = %v, want the user mapping's scoping error", err)
	}
}
