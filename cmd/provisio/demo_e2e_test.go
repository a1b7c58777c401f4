package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/demo"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestServeDemo runs `serve --demo`, waits for the first cycle, checks the
// demo tenant holds the assigned users and group, then runs the commands
// the printed guide gives, section by section, and checks each outcome in
// the tenant: assign → provisioned, change → synchronized, unassign →
// disabled, delete → deleted; and its single sign-on lines: sign in at
// the portal, then signed out. A second start with --demo seeds nothing
// again and points the job and single sign-on at the new address.
func TestServeDemo(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			dataDir, dsn := t.TempDir(), db.DSN(t)
			s := startServe(t, dataDir, dsn, "--demo")
			g := parseGuide(t, s.stdout.String())
			ten := createdTenant{TenantURL: g.url, Token: g.token}
			if want := s.base + "/scim/"; !strings.HasPrefix(g.url, want) {
				t.Errorf("guide Tenant URL = %q, want it on this server (%s...)", g.url, want)
			}
			waitFirstCycle(t, s)
			testDemoSeeded(t, ten)
			testDemoSSO(t, s, ten, s.stdout.String())
			testDemoLoop(t, s, ten, g)
			if strings.Contains(s.stderr.String(), g.token) {
				t.Errorf("the server log contains the demo tenant's token")
			}

			s.shutdown(t)
			s2 := startServe(t, dataDir, dsn, "--demo")
			testDemoRestart(t, s2, parseGuide(t, s2.stdout.String()))
			testDemoSSORestart(t, s2, s2.stdout.String())
		})
	}
}

// TestServeDemoLeavesDataAlone: --demo on a directory with users of its
// own seeds nothing, says so, and serves as usual.
func TestServeDemoLeavesDataAlone(t *testing.T) {
	dataDir := t.TempDir()
	s := startServe(t, dataDir, "")
	var u map[string]any
	s.cliJSON(t, &u, "user", "create", "someone@fabrikam.com")
	s.shutdown(t)

	s = startServe(t, dataDir, "", "--demo")
	var lists struct {
		Apps []any `json:"apps"`
	}
	s.cliJSON(t, &lists, "app", "list")
	if out := s.stdout.String(); out != "" || len(lists.Apps) != 0 {
		t.Errorf("serve --demo over a directory with users printed %q and made %d apps, want nothing", out, len(lists.Apps))
	}
	if !strings.Contains(s.stderr.String(), "not seeding the demo") {
		t.Errorf("serve --demo over a directory with users did not log why it seeded nothing:\n%s", s.stderr)
	}
}

// guideText is what the test reads from the printed guide.
type guideText struct {
	url, token string
	// sections maps a "# name" header to the provisio commands under it,
	// each split into arguments without the program name.
	sections map[string][][]string
}

var guideTenant = regexp.MustCompile(`export URL=(\S+) TOKEN=(\S+)`)

// parseGuide reads the guide: the tenant's URL and token from its export
// line, and the provisio commands by section.
func parseGuide(t *testing.T, out string) guideText {
	t.Helper()
	m := guideTenant.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("serve --demo printed no tenant export line:\n%s", out)
	}
	g := guideText{url: m[1], token: m[2], sections: map[string][][]string{}}
	section := ""
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "# "):
			section = strings.TrimPrefix(line, "# ")
		case strings.HasPrefix(line, "provisio "):
			if i := strings.Index(line, " #"); i >= 0 {
				line = line[:i]
			}
			g.sections[section] = append(g.sections[section], shellWords(strings.TrimPrefix(line, "provisio ")))
		}
	}
	return g
}

// shellWords splits a command line the way a shell does for the guide's
// commands: on spaces, with double quotes grouping.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// waitFirstCycle waits until the scheduler has finished the demo job's
// first cycle, without failures.
func waitFirstCycle(t *testing.T, s *serveProc) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var st struct {
			State     string `json:"state"`
			LastCycle *struct {
				Stats apitypes.Stats `json:"stats"`
				Error string         `json:"error"`
			} `json:"lastCycle"`
		}
		s.cliJSON(t, &st, "job", "status", demo.AppName)
		if st.LastCycle != nil {
			if c := st.LastCycle; c.Error != "" || c.Stats.Failed != 0 || c.Stats.Created == 0 {
				t.Fatalf("first demo cycle = %+v, want creates and no failure", c)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo job's first cycle did not finish within 60s (state %s)\n%s", st.State, s.stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// testDemoSeeded: assigned users (directly, through Engineering and
// through the nested Platform Team) and the assigned group are in the
// tenant; the disabled user (out of scope, as in Entra) and the guide's
// user are not.
func testDemoSeeded(t *testing.T, ten createdTenant) {
	for _, upn := range []string{
		"megan.bowen@contoso.com",   // assigned directly
		"miriam.graham@contoso.com", // member of Engineering
		"pradeep.gupta@contoso.com", // member of Platform Team, nested in Engineering
	} {
		if u := scimUser(t, ten, upn); u == nil || u["active"] != true {
			t.Errorf("%s in the demo tenant = %v, want present and active", upn, u)
		}
	}
	if u := scimUser(t, ten, "henrietta.mueller@contoso.com"); u != nil {
		t.Errorf("disabled henrietta.mueller in the demo tenant = %v, want absent (never provisioned)", u)
	}
	if u := scimUser(t, ten, demo.TryUser); u != nil {
		t.Errorf("%s in the demo tenant before the guide assigns it = %v, want absent", demo.TryUser, u)
	}
	r := scimDo(t, "GET", ten.TenantURL+"/Groups?filter="+url.QueryEscape(`displayName eq "Engineering"`), ten.Token, "")
	if res, _ := r.body["Resources"].([]any); r.status != http.StatusOK || len(res) != 1 {
		t.Errorf("GET /Groups?filter=displayName eq Engineering = %d %s, want the assigned group", r.status, r.raw)
	}
}

// testDemoLoop runs each section of the guide and checks its outcome in
// the tenant. The scheduler runs the job too (every 10 s): a `job run
// --wait` that joins a cycle started before the change sees nothing, so
// the check runs the job again until the outcome shows, at most 3 times.
func testDemoLoop(t *testing.T, s *serveProc, ten createdTenant, g guideText) {
	department := func(u map[string]any) any {
		ent, _ := u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
		return ent["department"]
	}
	for _, step := range []struct {
		section string
		want    string
		ok      func(u map[string]any) bool
	}{
		{"assign -> provisioned", "present and active", func(u map[string]any) bool { return u != nil && u["active"] == true }},
		{"change -> synchronized", "department Sales", func(u map[string]any) bool { return u != nil && department(u) == "Sales" }},
		{"unassign -> disabled", "active false", func(u map[string]any) bool { return u != nil && u["active"] == false }},
		{"delete -> deleted", "absent", func(u map[string]any) bool { return u == nil }},
	} {
		cmds := g.sections[step.section]
		if len(cmds) == 0 {
			t.Fatalf("the guide has no commands under %q: %v", step.section, g.sections)
		}
		for _, args := range cmds {
			if _, err := s.cliIn(t, nil, args...); err != nil {
				t.Fatalf("guide step %q: provisio %s: %v", step.section, strings.Join(args, " "), err)
			}
		}
		u := scimUser(t, ten, demo.TryUser)
		for try := 0; !step.ok(u) && try < 3; try++ {
			s.runCycle(t, demo.AppName)
			u = scimUser(t, ten, demo.TryUser)
		}
		if !step.ok(u) {
			t.Fatalf("after the guide's %q commands, %s in the tenant = %v, want %s", step.section, demo.TryUser, u, step.want)
		}
	}
	for _, args := range g.sections[""] {
		if _, err := s.cliIn(t, nil, args...); err != nil {
			t.Errorf("guide: provisio %s: %v", strings.Join(args, " "), err)
		}
	}
}

// testDemoRestart: the second start finds the demo (one app, one tenant,
// no new users) and points the job at the server's new address.
func testDemoRestart(t *testing.T, s *serveProc, g guideText) {
	if out := s.stdout.String(); !strings.Contains(out, "seeded on an earlier start") {
		t.Errorf("second serve --demo printed %q, want it to say the demo was seeded earlier", out)
	}
	var lists struct {
		Apps    []any `json:"apps"`
		Tenants []any `json:"tenants"`
		Users   []any `json:"users"`
	}
	s.cliJSON(t, &lists, "app", "list")
	s.cliJSON(t, &lists, "tenant", "list")
	s.cliJSON(t, &lists, "user", "list")
	if len(lists.Apps) != 1 || len(lists.Tenants) != 1 || len(lists.Users) != 35 {
		t.Errorf("after a second serve --demo: %d apps, %d tenants, %d users; want 1, 1 and 35 (36 seeded, 1 purged)",
			len(lists.Apps), len(lists.Tenants), len(lists.Users))
	}
	var job map[string]any
	s.cliJSON(t, &job, "job", "get", demo.AppName)
	if job["tenantUrl"] != g.url || !strings.HasPrefix(g.url, s.base+"/") {
		t.Errorf("demo job tenantUrl = %v, guide URL %s; want both on the new address %s", job["tenantUrl"], g.url, s.base)
	}
	if cyc := s.runCycle(t, demo.AppName); cyc.Error != "" || cyc.Stats.Failed != 0 {
		t.Errorf("demo cycle after the restart = %+v, want no failure", cyc)
	}
	if u := scimUser(t, createdTenant{TenantURL: g.url, Token: g.token}, "megan.bowen@contoso.com"); u == nil {
		t.Errorf("the guide's new token does not find megan.bowen in the demo tenant")
	}
}
