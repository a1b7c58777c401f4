package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// nasty is a value with a comma, a quote, a line break and a leading "=":
// what a CSV export must neither split nor let a spreadsheet run.
const nasty = "=HYPERLINK(\"http://evil\",\"a, b\")\nsecond line"

// logsServer answers GET …/job/logs with n entries (seq n newest … 1)
// paged by before/limit like the admin API, and counts the pages read.
func logsServer(t *testing.T, n int, pages *atomic.Int32) *httptest.Server {
	t.Helper()
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	entries := make([]apitypes.LogEntry, n)
	for i := range entries {
		seq := int64(n - i)
		entries[i] = apitypes.LogEntry{Seq: seq, Time: base.Add(time.Duration(seq) * time.Second), CycleID: "c1",
			ChangeID: fmt.Sprintf("ch%d", seq), ObjectType: "User", SourceID: fmt.Sprintf("u%d", seq),
			SourceName: fmt.Sprintf("user%d@example.com", seq), TargetID: fmt.Sprintf("t%d", seq), Action: "update", Status: "success",
			Modified: []apitypes.ModifiedProperty{{Name: "title", Old: "a", New: "b"}}, Duration: 1500 * time.Microsecond}
	}
	entries[0].SourceName, entries[0].Reason = nasty, "+1 -1 @x"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/apps/Portal/job/logs" {
			http.NotFound(w, r)
			return
		}
		pages.Add(1)
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
		page := apitypes.LogPage{Entries: []apitypes.LogEntry{}}
		for _, e := range entries {
			if (before == 0 || e.Seq < before) && len(page.Entries) < limit {
				page.Entries = append(page.Entries, e)
			}
		}
		if len(page.Entries) == limit {
			page.Next = strconv.FormatInt(page.Entries[limit-1].Seq, 10)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runLogsCLI(t *testing.T, srv *httptest.Server, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	vars := map[string]string{"PROVISIO_SERVER": srv.URL, "PROVISIO_ADMIN_TOKEN": "tok"}
	root := newRootCmd(&env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] },
		readFile: func(string) ([]byte, error) { return nil, fmt.Errorf("no files") }})
	root.SetArgs(append([]string{"job", "logs", "Portal"}, args...))
	err := root.Execute()
	return stdout.String(), err
}

// TestJobLogsExportCSV: 1,000 entries exported as CSV over several pages
// parse back whole, each once, with the nasty value intact but defused.
func TestJobLogsExportCSV(t *testing.T) {
	var pages atomic.Int32
	srv := logsServer(t, 1000, &pages)
	out, err := runLogsCLI(t, srv, "--format", "csv", "--limit", "300")
	if err != nil {
		t.Fatalf("job logs --format csv = %v", err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("parse the CSV export: %v", err)
	}
	if len(rows) != 1001 || strings.Join(rows[0], ",") != strings.Join(logCSVHeader, ",") {
		t.Fatalf("CSV export = %d rows, header %q; want 1001 rows, header %q", len(rows), rows[0], logCSVHeader)
	}
	if got := pages.Load(); got != 4 {
		t.Errorf("pages read = %d, want 4 of 300", got)
	}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		if len(r) != len(logCSVHeader) {
			t.Fatalf("row %q has %d cells, want %d", r, len(r), len(logCSVHeader))
		}
		seen[r[2]] = true
	}
	if len(seen) != 1000 {
		t.Errorf("CSV export holds %d distinct change ids, want 1000", len(seen))
	}
	newest := rows[1]
	want := map[string]string{
		"Date (UTC)": "2026-03-01T12:16:40Z", "Change ID": "ch1000", "Identity": "'" + nasty, "Reason": "'+1 -1 @x",
		"Modified Properties": `title: "a" → "b"`, "Steps": "", "Duration (ms)": "1",
	}
	for i, col := range logCSVHeader {
		if w, ok := want[col]; ok && newest[i] != w {
			t.Errorf("newest row %s = %q, want %q", col, newest[i], w)
		}
	}
}

// TestJobLogsExportJSON: JSON Lines, one entry per line, all of them.
func TestJobLogsExportJSON(t *testing.T) {
	var pages atomic.Int32
	srv := logsServer(t, 1000, &pages)
	out, err := runLogsCLI(t, srv, "--format", "json")
	if err != nil {
		t.Fatalf("job logs --format json = %v", err)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		var e apitypes.LogEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d = %v", n+1, err)
		}
		if n == 0 && e.SourceName != nasty {
			t.Errorf("first line's sourceName = %q, want %q", e.SourceName, nasty)
		}
		n++
	}
	if n != 1000 || pages.Load() != 2 {
		t.Errorf("JSON Lines export = %d lines in %d pages, want 1000 in 2 (1000 and an empty last)", n, pages.Load())
	}
	if _, err := runLogsCLI(t, srv, "--format", "xml"); err == nil || !strings.Contains(err.Error(), "not csv or json") {
		t.Errorf("job logs --format xml = %v, want refused", err)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "alice": "alice", "=1+2": "'=1+2", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", nasty: "'" + nasty,
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "", want: time.Time{}},
		{in: "24h", want: now.Add(-24 * time.Hour)},
		{in: "7d", want: now.Add(-7 * 24 * time.Hour)},
		{in: "90m", want: now.Add(-90 * time.Minute)},
		{in: "2026-03-01T08:00:00+01:00", want: time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)},
		{in: "yesterday", bad: true},
		{in: "-1d", bad: true},
		{in: "2026-03-01", bad: true},
	}
	for _, tc := range tests {
		got, err := parseWhen(tc.in, now)
		if tc.bad {
			if err == nil {
				t.Errorf("parseWhen(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseWhen(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}
