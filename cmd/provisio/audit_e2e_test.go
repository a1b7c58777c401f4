package main

import (
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestAuditCommand: `provisio audit` lists the changes made through the
// CLI, newest first, with the admin token's name, on every database;
// --since selects by time and --limit pages through the log.
func TestAuditCommand(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t))
			var app apitypes.App
			s.cliJSON(t, &app, "app", "create", "Portal")
			for _, g := range []string{"Sales", "IT", "HR"} {
				var grp apitypes.Group
				s.cliJSON(t, &grp, "group", "create", g)
			}
			var page apitypes.AuditPage
			s.cliJSON(t, &page, "audit", "--since", "1h")
			if len(page.Entries) != 4 || page.Entries[3].Object != "app" || page.Entries[3].ObjectID != app.ID ||
				page.Entries[0].Object != "group" || page.Entries[0].Actor != "initial" {
				t.Fatalf("audit --since 1h = %+v, want the app then three groups, newest first, by initial", page.Entries)
			}
			var paged apitypes.AuditPage
			s.cliJSON(t, &paged, "audit", "--limit", "3")
			if len(paged.Entries) != 3 || paged.Entries[2].Seq != page.Entries[2].Seq {
				t.Errorf("audit --limit 3 = %+v, want the newest three", paged.Entries)
			}
			var none apitypes.AuditPage
			s.cliJSON(t, &none, "audit", "--since", time.Now().Add(time.Hour).Format(time.RFC3339))
			if len(none.Entries) != 0 {
				t.Errorf("audit --since in an hour = %+v, want none", none.Entries)
			}
			out, err := cli(t, nil, "audit", "--server", s.base, "--data-dir", s.dataDir)
			if err != nil || !strings.Contains(out, "POST /api/v1/apps") || !strings.Contains(out, "initial") {
				t.Errorf("audit = %q, %v, want a table naming POST /api/v1/apps by initial", out, err)
			}
			if _, err := cli(t, nil, "audit", "--since", "yesterday", "--server", s.base, "--data-dir", s.dataDir); err == nil || !strings.Contains(err.Error(), "--since") {
				t.Errorf("audit --since yesterday = %v, want an error about --since", err)
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"90m", now.Add(-90 * time.Minute), false},
		{"7d", now.AddDate(0, 0, -7), false},
		{"2026-03-01T08:00:00Z", time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), false},
		{"0d", time.Time{}, true},
		{"-1h", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := parseSince(tc.in, now)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("parseSince(%q) = %v, %v, want %v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}
