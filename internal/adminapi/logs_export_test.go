package adminapi

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/logexport"
)

// TestExportLogs: GET job/logs/export streams the filtered entries as CSV
// (header row + one row per entry) or JSON Lines, as an attachment; a bad
// format or filter is a JSON 400.
func TestExportLogs(t *testing.T) {
	f, _, _ := jobFixture(t)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"bob@x.io","givenName":"Bob","surname":"=cmd"}`)
	f.must(t, 200, "POST", "/api/v1/apps/Portal/assignments", `{"user":"bob@x.io"}`)
	f.must(t, 200, "POST", "/api/v1/apps/Portal/job/runs?wait=true", "")
	get := func(q string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/apps/Portal/job/logs/export?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+f.admin)
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("format=csv&action=create")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export csv = %d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(logexport.CSVHeader, ",") {
		t.Fatalf("export csv = %q (%v), want the header and 2 creates", body, err)
	}
	for _, r := range rows[1:] {
		if r[3] != "create" || r[4] != "success" {
			t.Errorf("row %q: want a successful create", r)
		}
	}
	resp, body = get("format=json&object=bob@x.io")
	sc := bufio.NewScanner(strings.NewReader(body))
	n := 0
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e["sourceName"] != "bob@x.io" {
			t.Errorf("export json line %q (%v), want bob's entry", sc.Text(), err)
		}
		n++
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/jsonl" || n != 1 {
		t.Errorf("export json = %d %q, %d lines; want 1 application/jsonl line", resp.StatusCode, resp.Header.Get("Content-Type"), n)
	}
	for _, q := range []string{"format=xml", "", "format=csv&status=nope"} {
		if r := f.must(t, 400, "GET", "/api/v1/apps/Portal/job/logs/export?"+q, ""); r.body["error"] == nil {
			t.Errorf("export ?%s = %s, want a JSON error", q, r.raw)
		}
	}
}
