package adminapi

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAuditLog: every kind of change made through the API appears once,
// with the admin token that made it; reads, refused requests and the
// expression sandbox do not; a mapping change carries the job before and
// after; and no secret sent or answered is anywhere in the audit table.
func TestAuditLog(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	ops := f.must(t, 201, "POST", "/api/v1/admin/tokens", `{"name":"ops-alice"}`)
	opsSecret, opsID := ops.body["token"].(string), ops.body["id"].(string)
	initial := f.admin
	f.admin = opsSecret // every change below is ops-alice's

	tn := f.must(t, 201, "POST", "/api/v1/tenants", `{"name":"acme"}`)
	tenantID, tenantToken, tenantURL := tn.body["id"].(string), tn.body["token"].(string), tn.body["tenant_url"].(string)
	second := f.must(t, 201, "POST", "/api/v1/tenants/"+tenantID+"/tokens", `{"name":"second"}`).body["token"].(string)
	const jobSecret, webhookSecret = "pvt_JOB-SECRET-MARKER", "WEBHOOK-SECRET-MARKER"
	const base = "/api/v1/apps/Portal/job"
	changes := []struct {
		method, path, body string
		status             int
		object, objectID   string
	}{
		{"PUT", "/api/v1/tenants/" + tenantID + "/policy", `{}`, 200, "tenant", tenantID},
		{"POST", "/api/v1/users", `{"userPrincipalName":"alice@x.io"}`, 201, "user", ""},
		{"PATCH", "/api/v1/users/alice@x.io", `{"surname":"Lee"}`, 200, "user", "alice@x.io"},
		{"POST", "/api/v1/groups", `{"displayName":"Sales"}`, 201, "group", ""},
		{"POST", "/api/v1/apps", `{"name":"Portal"}`, 201, "app", ""},
		{"POST", "/api/v1/apps/Portal/assignments", `{"user":"alice@x.io"}`, 200, "assignment", "Portal"},
		{"PUT", base, `{"tenantUrl":"` + tenantURL + `","token":"` + jobSecret + `","webhookUrl":"https://hooks.example.com/p","webhookSecret":"` + webhookSecret + `"}`,
			200, "job", "Portal"},
		{"PUT", base + "/mappings/user", `{"target":"nickName","type":"direct","source":"mailNickname"}`, 200, "mapping", "Portal/user"},
		{"POST", base + "/scoping/user", `{"clauses":["department EQUALS Sales"]}`, 200, "scoping", "Portal/user"},
	}
	for _, c := range changes {
		f.must(t, c.status, c.method, c.path, c.body)
	}
	// Not changes, or changes refused: none of them is recorded.
	f.must(t, 200, "GET", base, "")
	f.must(t, 404, "PATCH", "/api/v1/users/nobody@x.io", `{"surname":"X"}`)
	f.must(t, 200, "POST", "/api/v1/expressions/evaluate", `{"expression":"Join(\",\", \"a\", \"b\")"}`)
	if r := f.call(t, "POST", "/api/v1/users", "pva_wrong", "application/json", `{"userPrincipalName":"x@x.io"}`); r.status != 401 {
		t.Fatalf("POST users with a wrong token = %d, want 401", r.status)
	}

	page := f.must(t, 200, "GET", "/api/v1/audit", "")
	var got struct {
		Entries []struct {
			Actor, ActorID, Method, Route, Path, Object, ObjectID string
			Status                                                int
			Before, After                                         json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(page.raw), &got); err != nil {
		t.Fatal(err)
	}
	// Newest first: the admin token, the tenant and its token, then changes.
	want := len(changes) + 3
	if len(got.Entries) != want {
		t.Fatalf("GET /audit = %d entries, want %d: %s", len(got.Entries), want, page.raw)
	}
	for i, c := range changes {
		e := got.Entries[len(changes)-1-i]
		if e.Method != c.method || e.Path != c.path || e.Object != c.object || e.Status != c.status ||
			e.Actor != "ops-alice" || e.ActorID != opsID {
			t.Errorf("audit entry of %s %s = %+v, want object %s, status %d, by ops-alice (%s)", c.method, c.path, e, c.object, c.status, opsID)
		}
		if c.objectID != "" && e.ObjectID != c.objectID || e.ObjectID == "" {
			t.Errorf("audit entry of %s %s: objectId = %q, want %q (or the created id)", c.method, c.path, e.ObjectID, c.objectID)
		}
	}
	first := got.Entries[len(got.Entries)-1]
	if first.Object != "token" || first.Actor != "initial" || first.ObjectID != opsID {
		t.Errorf("first audit entry = %+v, want the token %s created by initial", first, opsID)
	}
	for i, kind := range []string{"token", "tenant"} {
		if e := got.Entries[len(got.Entries)-3+i]; e.Object != kind || e.Actor != "ops-alice" {
			t.Errorf("audit entry %d = %+v, want a %s by ops-alice", i, e, kind)
		}
	}

	// The mapping change: before without nickName, after with it.
	m := got.Entries[1]
	if !strings.Contains(string(m.After), "nickName") || strings.Contains(string(m.Before), "nickName") {
		t.Errorf("mapping change before/after = %s / %s, want nickName added", m.Before, m.After)
	}
	if s := got.Entries[0]; !strings.Contains(string(s.After), `"scoping"`) || strings.Contains(string(s.Before), `"scoping"`) {
		t.Errorf("scoping change before/after = %s / %s, want the filter added", s.Before, s.After)
	}
	if j := got.Entries[2]; j.Before != nil || !strings.Contains(string(j.After), "hooks.example.com") {
		t.Errorf("job creation before/after = %s / %s, want none before, the job with its webhook after", j.Before, j.After)
	}

	table := dumpTable(t, f.dbPath, "audit_log")
	if !strings.Contains(table, "ops-alice") || !strings.Contains(table, "nickName") {
		t.Fatalf("audit_log dump = %q, want the actor and the mapping in it", table)
	}
	for name, secret := range map[string]string{"admin token": opsSecret, "initial admin token": initial,
		"tenant token": tenantToken, "second tenant token": second, "job secret token": jobSecret, "webhook secret": webhookSecret} {
		if strings.Contains(table, secret) {
			t.Errorf("audit_log holds the %s", name)
		}
	}
}

// dumpTable returns every row of table of the SQLite database at path,
// every column as text.
func dumpTable(t *testing.T, path, table string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%v\t", v)
		}
		b.WriteByte('\n')
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s is empty", table)
	}
	return b.String()
}

// TestAuditPaging: GET /audit pages newest first with limit and before,
// selects by since, and refuses bad parameters.
func TestAuditPaging(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	for _, g := range []string{"A", "B", "C"} {
		f.must(t, 201, "POST", "/api/v1/groups", `{"displayName":"`+g+`"}`)
	}
	names := func(r response) (out []string) {
		for _, e := range r.body["entries"].([]any) {
			out = append(out, e.(map[string]any)["objectId"].(string))
		}
		return out
	}
	all := names(f.must(t, 200, "GET", "/api/v1/audit", ""))
	p1 := f.must(t, 200, "GET", "/api/v1/audit?limit=2", "")
	next, _ := p1.body["next"].(string)
	p2 := f.must(t, 200, "GET", "/api/v1/audit?limit=2&before="+next, "")
	if got := append(names(p1), names(p2)...); len(all) != 3 || fmt.Sprint(got) != fmt.Sprint(all) || p2.body["next"] != nil {
		t.Errorf("GET /audit in pages of 2 = %v (next %v), want %v in one go", got, p2.body["next"], all)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?since="+future, "")); len(got) != 0 {
		t.Errorf("GET /audit?since=%s = %v, want none", future, got)
	}
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?until="+future, "")); fmt.Sprint(got) != fmt.Sprint(all) {
		t.Errorf("GET /audit?until=%s = %v, want all %v", future, got, all)
	}
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?until="+past, "")); len(got) != 0 {
		t.Errorf("GET /audit?until=%s = %v, want none", past, got)
	}
	// object: a kind or an id, any case; actor: nobody else made these.
	first := all[len(all)-1]
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?object=GROUP", "")); fmt.Sprint(got) != fmt.Sprint(all) {
		t.Errorf("GET /audit?object=GROUP = %v, want %v", got, all)
	}
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?object="+first, "")); fmt.Sprint(got) != fmt.Sprint([]string{first}) {
		t.Errorf("GET /audit?object=%s = %v, want only it", first, got)
	}
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?object=user", "")); len(got) != 0 {
		t.Errorf("GET /audit?object=user = %v, want none", got)
	}
	if got := names(f.must(t, 200, "GET", "/api/v1/audit?actor=nobody-else", "")); len(got) != 0 {
		t.Errorf("GET /audit?actor=nobody-else = %v, want none", got)
	}
	for _, q := range []string{"since=yesterday", "until=tomorrow", "limit=0", "limit=1001", "before=x"} {
		f.must(t, 400, "GET", "/api/v1/audit?"+q, "")
	}
}
