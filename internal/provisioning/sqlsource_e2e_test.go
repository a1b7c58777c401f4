package provisioning_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/provisioningtest"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/server"
)

// The SQL directory is the engine's Source as it is: store.Directory has
// the Source's read methods.
var _ provisioning.Source = store.Directory(nil)

// sqlEnv is the engine reading a SQLite directory, written through the
// directory service, provisioning into the SCIM handler over HTTP.
type sqlEnv struct {
	t      *testing.T
	dir    *dirsvc.Service
	app    directory.App
	count  *counter
	target *client.Client
	engine *provisioning.Engine
}

func newSQLEnv(t *testing.T, dsn string, opts ...func(*provisioning.Config)) *sqlEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn, nil)
	if err != nil {
		t.Fatalf("sqlstore.Open() = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := &sqlEnv{t: t, dir: dirsvc.New(st.Directory(), dirsvc.Options{})}
	if e.app, err = e.dir.CreateApp(ctx, "Uni-tel"); err != nil {
		t.Fatal(err)
	}
	h := server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(http.StripPrefix("/scim/v2", h))
	t.Cleanup(srv.Close)
	base := srv.URL + "/scim/v2"
	e.count = &counter{next: http.DefaultTransport.(*http.Transport).Clone()}
	c, err := client.New(base, client.WithHTTPClient(&http.Client{Transport: e.count}), client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if e.target, err = client.New(base); err != nil {
		t.Fatal(err)
	}
	warmUp(t, e.target)
	cfg := provisioning.Config{
		JobID: "job-sql", AppID: e.app.ID,
		Users: provisioning.DefaultUserMapping(), Groups: provisioning.DefaultGroupMapping(),
		Source: st.Directory(), Links: provisioningtest.NewLinks(), Logs: &provisioningtest.Logs{}, Target: c,
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.engine, err = provisioning.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs a cycle and returns it with the requests it sent.
func (e *sqlEnv) run() (*provisioning.Result, []string) {
	e.t.Helper()
	e.count.reset()
	res, err := e.engine.Run(context.Background())
	if err != nil {
		e.t.Fatalf("Run() = %v", err)
	}
	return res, e.count.reset()
}

func (e *sqlEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *sqlEnv) targetUser(upn string) scim.Resource {
	e.t.Helper()
	lr, err := e.target.List(context.Background(), "Users", client.Query{Filter: client.Eq("userName", upn)})
	if err != nil || len(lr.Resources) > 1 {
		e.t.Fatalf("target user %s: %v, %v", upn, lr, err)
	}
	if len(lr.Resources) == 0 {
		return nil
	}
	return lr.Resources[0]
}

// TestSQLSourceEndToEnd runs the engine's main scenario over the SQLite
// directory: initial cycle, incremental with nothing changed (no request),
// an attribute change (one PATCH), unassign, soft delete and disable (one
// PATCH to active=false each), purge (one DELETE), and a nested group
// member brought into scope.
// It runs on SQLite, and on PostgreSQL when PROVISIO_TEST_POSTGRES is set.
func TestSQLSourceEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { sqlSourceScenario(t, filepath.Join(t.TempDir(), "dir.db")) })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("PROVISIO_TEST_POSTGRES")
		if base == "" {
			t.Skip("PROVISIO_TEST_POSTGRES is not set")
		}
		sqlSourceScenario(t, sqlSourceSchema(t, base))
	})
}

// TestSQLSourceMemberOf runs a MEMBER_OF scoping filter over the SQL
// directory: the group named in another case, a nested group's member in
// scope, then members removed from and added to the nested group.
func TestSQLSourceMemberOf(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { sqlMemberOfScenario(t, filepath.Join(t.TempDir(), "dir.db")) })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("PROVISIO_TEST_POSTGRES")
		if base == "" {
			t.Skip("PROVISIO_TEST_POSTGRES is not set")
		}
		sqlMemberOfScenario(t, sqlSourceSchema(t, base))
	})
}

func sqlMemberOfScenario(t *testing.T, dsn string) {
	ctx := context.Background()
	e := newSQLEnv(t, dsn, userFilters(t, []string{"MEMBER_OF staff"}))
	for i := 1; i <= 3; i++ {
		u := user(i)
		u.ObjectID = ""
		_, err := e.dir.CreateUser(ctx, u)
		e.must(err)
		_, err = e.dir.AssignUser(ctx, e.app.Name, u.UserPrincipalName, "")
		e.must(err)
	}
	for _, g := range []string{"Staff", "Engineers"} {
		_, err := e.dir.CreateGroup(ctx, directory.Group{DisplayName: g})
		e.must(err)
	}
	_, err := e.dir.AddMembers(ctx, "Engineers", []string{"user2@example.com"})
	e.must(err)
	_, err = e.dir.AddMembers(ctx, "Staff", []string{"user1@example.com", "Engineers"})
	e.must(err)

	res, _ := e.run()
	if res.Stats.Created != 2 || e.targetUser("user3@example.com") != nil {
		t.Fatalf("initial cycle = %+v, want user1 and user2 (nested) created, not user3", res.Stats)
	}
	_, err = e.dir.RemoveMembers(ctx, "Engineers", []string{"user2@example.com"})
	e.must(err)
	_, err = e.dir.AddMembers(ctx, "Engineers", []string{"user3@example.com"})
	e.must(err)
	res, _ = e.run()
	if res.Stats.Created != 1 || res.Stats.Disabled != 1 {
		t.Errorf("cycle after moving members = %+v, want 1 create and 1 disable", res.Stats)
	}
	if err := wantTargetActive(false)(e.targetUser("user2@example.com")); err != nil {
		t.Errorf("user2 left the nested group: %v", err)
	}
	if err := wantTargetActive(true)(e.targetUser("user3@example.com")); err != nil {
		t.Errorf("user3 joined the nested group: %v", err)
	}
	if _, reqs := e.run(); len(reqs) != 0 {
		t.Errorf("the next cycle sent %v, want nothing", reqs)
	}
}

// sqlSourceSchema creates an empty schema, dropped after the test, and returns
// base with search_path set to it.
func sqlSourceSchema(t *testing.T, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema := "e2e_" + strings.ToLower(rand.Text()[:16])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func sqlSourceScenario(t *testing.T, dsn string) {
	ctx := context.Background()
	e := newSQLEnv(t, dsn)
	for i := 1; i <= 6; i++ {
		u := user(i)
		u.ObjectID = ""
		_, err := e.dir.CreateUser(ctx, u)
		e.must(err)
		_, err = e.dir.AssignUser(ctx, e.app.Name, u.UserPrincipalName, "")
		e.must(err)
	}
	_, err := e.dir.CreateGroup(ctx, directory.Group{DisplayName: "Sales"})
	e.must(err)
	_, err = e.dir.AddMembers(ctx, "Sales", []string{"user1@example.com"})
	e.must(err)
	_, err = e.dir.AssignGroup(ctx, e.app.ID, "sales", "")
	e.must(err)

	res, _ := e.run()
	if res.Kind != provisioning.CycleInitial || res.Stats.Created != 7 || res.Stats.Failed != 0 {
		t.Fatalf("initial cycle = %s %+v, want initial with 7 creates", res.Kind, res.Stats)
	}
	res, reqs := e.run()
	if res.Kind != provisioning.CycleIncremental || len(reqs) != 0 {
		t.Fatalf("incremental cycle with nothing changed = %s, requests %v; want incremental, none", res.Kind, reqs)
	}

	steps := []struct {
		name       string
		change     func() error
		wantPrefix string
		upn        string
		check      func(scim.Resource) error
	}{
		{"attribute change", func() error {
			_, err := e.dir.UpdateUser(ctx, "user2@example.com", map[string]any{"surname": "Lee", "department": "Sales"})
			return err
		}, "PATCH /Users/", "user2@example.com", func(r scim.Resource) error {
			if fam := r["name"].(map[string]any)["familyName"]; fam != "Lee" {
				return fmt.Errorf("familyName = %v, want Lee", fam)
			}
			return nil
		}},
		{"role given (app assign --role)", func() error {
			_, err := e.dir.AssignUser(ctx, "Uni-tel", "user2@example.com", "Admin")
			return err
		}, "PATCH /Users/", "user2@example.com", wantTargetRole("Admin")},
		{"role changed", func() error {
			_, err := e.dir.AssignUser(ctx, "Uni-tel", "user2@example.com", "User")
			return err
		}, "PATCH /Users/", "user2@example.com", wantTargetRole("User")},
		{"group role given", func() error {
			_, err := e.dir.AssignGroup(ctx, "Uni-tel", "sales", "Reader")
			return err
		}, "PATCH /Users/", "user1@example.com", wantTargetRole("Reader")},
		{"unassign", func() error { return e.dir.UnassignUser(ctx, "Uni-tel", "user3@example.com") },
			"PATCH /Users/", "user3@example.com", wantTargetActive(false)},
		{"soft delete", func() error { _, err := e.dir.DeleteUser(ctx, "user4@example.com"); return err },
			"PATCH /Users/", "user4@example.com", wantTargetActive(false)},
		{"restore", func() error { _, err := e.dir.RestoreUser(ctx, "user4@example.com"); return err },
			"PATCH /Users/", "user4@example.com", wantTargetActive(true)},
		{"disable", func() error { _, err := e.dir.DisableUser(ctx, "user6@example.com"); return err },
			"PATCH /Users/", "user6@example.com", wantTargetActive(false)},
		{"purge", func() error { return e.dir.PurgeUser(ctx, "user5@example.com") },
			"DELETE /Users/", "user5@example.com", func(r scim.Resource) error {
				if r != nil {
					return fmt.Errorf("still in the target: %v", r)
				}
				return nil
			}},
	}
	for _, s := range steps {
		e.must(s.change())
		_, reqs := e.run()
		if len(reqs) != 1 || !strings.HasPrefix(reqs[0], s.wantPrefix) {
			t.Errorf("%s: requests = %v, want one %s", s.name, reqs, s.wantPrefix)
		}
		if err := s.check(e.targetUser(s.upn)); err != nil {
			t.Errorf("%s: target %s: %v", s.name, s.upn, err)
		}
		if _, reqs := e.run(); len(reqs) != 0 {
			t.Errorf("%s: the next cycle sent %v, want nothing", s.name, reqs)
		}
	}

	// A nested group brings its member into scope: created, then added.
	nu := user(7)
	nu.ObjectID = ""
	_, err = e.dir.CreateUser(ctx, nu)
	e.must(err)
	_, err = e.dir.CreateGroup(ctx, directory.Group{DisplayName: "Nested"})
	e.must(err)
	_, err = e.dir.AddMembers(ctx, "Nested", []string{"user7@example.com"})
	e.must(err)
	_, err = e.dir.AddMembers(ctx, "Sales", []string{"Nested"})
	e.must(err)
	res, _ = e.run()
	if res.Stats.Created != 1 || e.targetUser("user7@example.com") == nil {
		t.Errorf("after nesting a group: stats %+v, user7 in target %v; want 1 create", res.Stats, e.targetUser("user7@example.com") != nil)
	}
}

func wantTargetActive(want bool) func(scim.Resource) error {
	return func(r scim.Resource) error {
		if r == nil || r["active"] != want {
			return fmt.Errorf("active = %v, want %v", r["active"], want)
		}
		return nil
	}
}

func wantTargetRole(want string) func(scim.Resource) error {
	return func(r scim.Resource) error {
		roles, _ := r["roles"].([]any)
		if len(roles) != 1 || roles[0].(map[string]any)["value"] != want {
			return fmt.Errorf("roles = %v, want one role %s", r["roles"], want)
		}
		return nil
	}
}
