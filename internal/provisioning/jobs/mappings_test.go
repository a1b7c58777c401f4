package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/provisioning/mapping"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/server"
)

const enterprise = scim.EnterpriseUserSchema + ":"

// strictRegistry is RFC 7643's User and Group without the enterprise
// extension: the application of issue 10 that dropped department on
// create and answered 400 invalidPath to every later change.
func strictRegistry(t testing.TB) *scim.Registry {
	t.Helper()
	std, r := scim.NewStandardRegistry(), scim.NewRegistry()
	for _, s := range std.Schemas() {
		if s.ID == scim.EnterpriseUserSchema {
			continue
		}
		if err := r.AddSchema(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, rt := range []*scim.ResourceType{
		{Name: "User", Endpoint: "/Users", Schema: scim.UserSchema},
		{Name: "Group", Endpoint: "/Groups", Schema: scim.GroupSchema},
	} {
		if err := r.AddResourceType(rt); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// scimServer serves h's SCIM service at <url>/scim/v2 with the test token.
func scimServer(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})))
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2"
}

func targets(m jobs.Mappings) []string {
	var out []string
	for _, a := range m.Users.Attributes {
		out = append(out, a.Target)
	}
	return out
}

// TestDefaultsFitTheApplication: against a server without the enterprise
// extension, the three enterprise default mappings are left out and
// listed with the reason, a mapping to department is refused when saved,
// Test Connection reports the same, and a cycle provisions without a
// failure.
func TestDefaultsFitTheApplication(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	h := server.New(server.Config{Registry: strictRegistry(t), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	j := e.configure(jobs.Config{TenantURL: scimServer(t, h)})
	if j.Schema.Status != jobs.SchemaDeclared || len(j.Schema.Excluded) != 3 {
		t.Fatalf("Configure(strict server).Schema = %+v, want declared with 3 exclusions", j.Schema)
	}
	for _, x := range j.Schema.Excluded {
		if !strings.HasPrefix(x.Target, enterprise) || !strings.Contains(x.Reason, "does not declare the enterprise extension") {
			t.Errorf("excluded %v, want an enterprise attribute, the application not declaring the extension", x)
		}
	}
	if got := strings.Join(targets(j.Mappings), ","); strings.Contains(got, "enterprise") || !strings.Contains(got, "userName") {
		t.Errorf("Configure(strict server) mappings = %s, want userName and no enterprise attribute", got)
	}
	_, err := e.svc.SetMapping(ctx, appID, provisioning.TypeUser, mapping.AttributeMapping{Target: enterprise + "department", Type: mapping.MappingDirect, Source: "department"})
	if !errors.Is(err, jobs.ErrInvalid) || !strings.Contains(err.Error(), "does not declare the enterprise extension") {
		t.Errorf("SetMapping(enterprise department) = %v, want ErrInvalid naming the undeclared extension", err)
	}
	if err := e.svc.TestConnection(ctx, appID); err != nil {
		t.Fatalf("TestConnection = %v", err)
	}
	e.addUsers(1, 2)
	if sum := e.run(); sum.Stats.Created != 2 || sum.Stats.Failed != 0 {
		t.Errorf("Run = %+v, want 2 created, none failed", sum.Stats)
	}
}

// TestNoSchemasKeepsDefaults: an application that answers /Schemas with
// 404 keeps every default mapping, and the job says so.
func TestNoSchemasKeepsDefaults(t *testing.T) {
	e := sqliteEnv(t)
	h := server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	url := scimServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/Schemas" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}))
	j := e.configure(jobs.Config{TenantURL: url})
	if j.Schema.Status != jobs.SchemaNotDeclared || !strings.Contains(j.Schema.Message, "all default mappings kept") {
		t.Errorf("Configure(no /Schemas).Schema = %+v, want not-declared, all defaults kept", j.Schema)
	}
	if got, want := len(j.Mappings.Users.Attributes), len(jobs.DefaultMappings().Users.Attributes); got != want {
		t.Errorf("Configure(no /Schemas) = %d user mappings, want all %d defaults", got, want)
	}
}

// TestEditMappings: set (add, replace case-insensitively), remove, scoping
// add/remove/clear and reset, every saved change restarting the job, and
// every problem of a change reported at once.
func TestEditMappings(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	e.addUsers(1, 1)
	if sum := e.run(); sum.Stats.Created != 1 {
		t.Fatalf("Run = %+v, want 1 created", sum.Stats)
	}
	restarted := func(what string) {
		t.Helper()
		if st := e.status(); st.NextKind != provisioning.CycleInitial {
			t.Errorf("after %s next cycle = %s, want initial (the job restarted)", what, st.NextKind)
		}
		e.run()
	}
	n := len(jobs.DefaultMappings().Users.Attributes)

	j, err := e.svc.SetMapping(ctx, appID, provisioning.TypeUser, mapping.AttributeMapping{Target: "nickName", Type: mapping.MappingDirect, Source: "MAILNICKNAME"})
	if err != nil || len(j.Mappings.Users.Attributes) != n+1 {
		t.Fatalf("SetMapping(nickName) = %d mappings, %v; want %d", len(j.Mappings.Users.Attributes), err, n+1)
	}
	restarted("SetMapping")
	j, err = e.svc.SetMapping(ctx, appID, provisioning.TypeUser, mapping.AttributeMapping{Target: "NICKNAME", Type: mapping.MappingConstant, Value: "x"})
	if err != nil || len(j.Mappings.Users.Attributes) != n+1 || j.Mappings.Users.Attributes[n].Type != mapping.MappingConstant {
		t.Fatalf("SetMapping(NICKNAME) = %+v, %v; want nickName replaced by a constant", j.Mappings.Users.Attributes, err)
	}
	e.run()
	if _, err := e.svc.RemoveMapping(ctx, appID, provisioning.TypeUser, "nickname"); err != nil {
		t.Fatalf("RemoveMapping(nickname) = %v", err)
	}
	restarted("RemoveMapping")
	if _, err := e.svc.RemoveMapping(ctx, appID, provisioning.TypeUser, "nickname"); !errors.Is(err, jobs.ErrNoMapping) {
		t.Errorf("RemoveMapping(nickname) again = %v, want ErrNoMapping", err)
	}

	c, err := scoping.ParseClause("department EQUALS Sales")
	if err != nil {
		t.Fatal(err)
	}
	j, err = e.svc.AddScopingFilter(ctx, appID, provisioning.TypeUser, scoping.Filter{Clauses: []scoping.Clause{c}})
	if err != nil || len(j.Mappings.Users.Scoping) != 1 {
		t.Fatalf("AddScopingFilter = %+v, %v; want one filter", j.Mappings.Users.Scoping, err)
	}
	restarted("AddScopingFilter")
	if _, err := e.svc.RemoveScopingFilter(ctx, appID, provisioning.TypeUser, 2); !errors.Is(err, jobs.ErrNoMapping) {
		t.Errorf("RemoveScopingFilter(2 of 1) = %v, want ErrNoMapping", err)
	}
	if j, err = e.svc.RemoveScopingFilter(ctx, appID, provisioning.TypeUser, 1); err != nil || j.Mappings.Users.Scoping != nil {
		t.Errorf("RemoveScopingFilter(1) = %+v, %v; want none left", j.Mappings.Users.Scoping, err)
	}
	e.run()
	if _, err := e.svc.ClearScoping(ctx, appID, provisioning.TypeGroup); err != nil {
		t.Errorf("ClearScoping(groups without filters) = %v", err)
	}
	if st := e.status(); st.NextKind != provisioning.CycleIncremental {
		t.Errorf("after a ClearScoping that changed nothing next cycle = %s, want incremental", st.NextKind)
	}

	if _, err := e.svc.AddScopingFilter(ctx, appID, provisioning.TypeUser, scoping.Filter{Clauses: []scoping.Clause{{Attribute: "bogus", Operator: scoping.Equals, Value: "x"}}}); !errors.Is(err, jobs.ErrInvalid) || !strings.Contains(err.Error(), `unknown source attribute "bogus"`) {
		t.Errorf("AddScopingFilter(bogus EQUALS x) = %v, want ErrInvalid naming bogus", err)
	}
	if _, err := e.svc.AddScopingFilter(ctx, appID, provisioning.TypeUser, scoping.Filter{Clauses: []scoping.Clause{c}}); err != nil {
		t.Fatalf("AddScopingFilter = %v", err)
	}
	if j, err = e.svc.ResetMappings(ctx, appID); err != nil || len(j.Mappings.Users.Attributes) != n || j.Mappings.Users.Scoping != nil {
		t.Errorf("ResetMappings = %d mappings, scoping %v, %v; want the %d defaults, no scoping", len(j.Mappings.Users.Attributes), j.Mappings.Users.Scoping, err, n)
	}
}

// TestMappingCheckedWhenSaved: each bad change is refused with every
// reason, and nothing is saved.
func TestMappingCheckedWhenSaved(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	tests := []struct {
		name string
		typ  provisioning.ObjectType
		a    mapping.AttributeMapping
		want []string
	}{
		{"unknown source", provisioning.TypeUser, mapping.AttributeMapping{Target: "nickName", Type: mapping.MappingDirect, Source: "shoeSize"},
			[]string{`unknown source attribute "shoeSize"`}},
		{"unknown attribute in expression", provisioning.TypeUser, mapping.AttributeMapping{Target: "nickName", Type: mapping.MappingExpression, Expression: "Not([isVIP])"},
			[]string{`unknown source attribute "isVIP"`}},
		{"unparsable expression", provisioning.TypeUser, mapping.AttributeMapping{Target: "nickName", Type: mapping.MappingExpression, Expression: `Join(",", [mail]`},
			[]string{"at "}},
		{"group source on a user", provisioning.TypeGroup, mapping.AttributeMapping{Target: "displayName", Type: mapping.MappingDirect, Source: "surname"},
			[]string{`unknown source attribute "surname"`}},
		{"bad target and apply at once", provisioning.TypeUser, mapping.AttributeMapping{Target: "emails[", Type: mapping.MappingDirect, Source: "mail", Apply: "sometimes"},
			[]string{`apply "sometimes"`, "emails["}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SetMapping(ctx, appID, tc.typ, tc.a)
			if !errors.Is(err, jobs.ErrInvalid) {
				t.Fatalf("SetMapping(%+v) = %v, want ErrInvalid", tc.a, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("SetMapping(%+v) = %v, want it to say %q", tc.a, err, w)
				}
			}
		})
	}
	j, err := e.svc.Get(ctx, appID)
	if err != nil || len(j.Mappings.Users.Attributes) != len(jobs.DefaultMappings().Users.Attributes) {
		t.Errorf("Get after refused changes = %d user mappings, %v; want the defaults unchanged", len(j.Mappings.Users.Attributes), err)
	}
}

// TestSkipOutOfScopeDeletionsSetting: the setting is stored and shown.
func TestSkipOutOfScopeDeletionsSetting(t *testing.T) {
	e := sqliteEnv(t)
	on := true
	if j := e.configure(jobs.Config{SkipOutOfScopeDeletions: &on}); !j.SkipOutOfScopeDeletions {
		t.Errorf("Configure(skip on).SkipOutOfScopeDeletions = false, want true")
	}
	j, err := e.svc.Configure(context.Background(), appID, jobs.Config{Interval: time.Hour})
	if err != nil || !j.SkipOutOfScopeDeletions {
		t.Errorf("Configure(interval only) = %v, %v; want the setting kept", j.SkipOutOfScopeDeletions, err)
	}
}

// TestSlowSchemasReadInBackground: an application slow to answer /Schemas
// does not hold up saving the job; its schema is recorded, and the
// defaults fitted to it, when it answers.
func TestSlowSchemasReadInBackground(t *testing.T) {
	e := sqliteEnv(t, func(o *jobs.Options) { o.DiscoveryWait = 50 * time.Millisecond })
	h := server.New(server.Config{Registry: strictRegistry(t), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	url := scimServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/Schemas" {
			time.Sleep(400 * time.Millisecond)
		}
		h.ServeHTTP(w, r)
	}))
	start := time.Now()
	j := e.configure(jobs.Config{TenantURL: url})
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Errorf("Configure(slow /Schemas) took %s, want it to wait only DiscoveryWait", took)
	}
	if j.Schema.Status != jobs.SchemaUnknown || len(j.Warnings) != 1 || !strings.Contains(j.Warnings[0], "in the background") {
		t.Fatalf("Configure(slow /Schemas) = schema %+v, warnings %q; want unknown, one warning saying it is read in the background", j.Schema, j.Warnings)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		j, err := e.svc.Get(context.Background(), appID)
		if err != nil {
			t.Fatalf("Get = %v", err)
		}
		if j.Schema.Status == jobs.SchemaDeclared {
			if len(j.Schema.Excluded) != 3 || strings.Contains(strings.Join(targets(j.Mappings), ","), "enterprise") {
				t.Errorf("Get after discovery = schema %+v, mappings %v; want 3 exclusions, no enterprise mapping", j.Schema, targets(j.Mappings))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("schema still %q 5 s after the save, want declared", j.Schema.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
