package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestMistakenGroupUnassignmentEndToEnd is the story through the
// CLI: one mistaken group unassignment would disable 8 accounts and delete
// a group with nothing to hold it. With --deletion-threshold 5 the cycle
// stages them (nothing sent), the job is quarantined for too many
// deletions, `job staged` lists them, and `job allow-deletes` lets the
// next cycle send them; then `job clear-quarantine` on a clean job.
func TestMistakenGroupUnassignmentEndToEnd(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
	var v map[string]any
	s.cliJSON(t, &v, "group", "create", "Sales")
	for i := 1; i <= 8; i++ {
		upn := fmt.Sprintf("seller%d@contoso.com", i)
		s.cliJSON(t, &v, "user", "create", upn)
		s.cliJSON(t, &v, "group", "add-member", "Sales", upn)
	}
	s.cliJSON(t, &v, "app", "create", "Portal")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	var job apitypes.Job
	s.cliJSON(t, &job, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile, "--deletion-threshold", "5")
	if job.DeletionThreshold != 5 || job.DeletionThresholdPercent != 30 {
		t.Errorf("job configure --deletion-threshold 5 = %d and %d%%, want 5 and the default 30%%", job.DeletionThreshold, job.DeletionThresholdPercent)
	}
	out, err := s.cliIn(t, nil, "job", "get", "Portal")
	if err != nil || !strings.Contains(out, "more than 5, or more than 30% of the managed objects staged") {
		t.Errorf("job get = %q, %v; want the deletion threshold", out, err)
	}
	s.cliJSON(t, &v, "app", "assign", "Portal", "--group", "Sales")
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Created != 9 {
		t.Fatalf("first cycle = %+v, want 9 created", cyc)
	}

	s.cliJSON(t, &v, "app", "unassign", "Portal", "--group", "Sales")
	if _, err := s.cliIn(t, nil, "job", "run", "Portal", "--wait"); err == nil || !strings.Contains(err.Error(), "staged") {
		t.Errorf("job run over the threshold: error = %v, want the staged deletions named", err)
	}
	if u := scimUser(t, ten, "seller1@contoso.com"); u == nil || u["active"] != true {
		t.Errorf("seller1 after the staged cycle = %v, want active", u)
	}
	var st apitypes.JobStatus
	s.cliJSON(t, &st, "job", "status", "Portal")
	if q := st.Quarantine; q == nil || q.Reason != "too many deletions" || q.Staged != 9 {
		t.Fatalf("job status --json quarantine = %+v, want too many deletions with 9 staged", st.Quarantine)
	}
	out, err = s.cliIn(t, nil, "job", "status", "Portal")
	if err != nil || !strings.Contains(out, "QUARANTINED  too many deletions since") {
		t.Errorf("job status = %q, %v; want the quarantine", out, err)
	}
	out, err = s.cliIn(t, nil, "job", "staged", "Portal")
	if err != nil || strings.Count(out, " disable ") != 8 || strings.Count(out, " delete ") != 1 || !strings.Contains(out, "9 staged, not sent") {
		t.Errorf("job staged = %q, %v; want 8 disables and 1 delete", out, err)
	}
	var logs struct {
		Entries []map[string]any `json:"entries"`
	}
	s.cliJSON(t, &logs, "job", "logs", "Portal", "--status", "staged")
	if len(logs.Entries) != 9 {
		t.Errorf("job logs --status staged = %d entries, want 9", len(logs.Entries))
	}

	var staged apitypes.StagedList
	s.cliJSON(t, &staged, "job", "allow-deletes", "Portal")
	if !staged.Allowed || len(staged.Staged) != 9 {
		t.Errorf("job allow-deletes = %+v, want allowed with 9 staged", staged)
	}
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Disabled != 8 || cyc.Stats.Deleted != 1 || cyc.Error != "" {
		t.Errorf("cycle after allow-deletes = %+v, want 8 disabled and 1 deleted", cyc)
	}
	if u := scimUser(t, ten, "seller1@contoso.com"); u == nil || u["active"] != false {
		t.Errorf("seller1 after allow-deletes = %v, want disabled", u)
	}
	st = apitypes.JobStatus{}
	s.cliJSON(t, &st, "job", "status", "Portal")
	if st.Quarantine != nil {
		t.Errorf("job status after the allowed cycle: quarantine %+v, want null", st.Quarantine)
	}
	out, err = s.cliIn(t, nil, "job", "clear-quarantine", "Portal")
	if err != nil || !strings.Contains(out, "not quarantined") {
		t.Errorf("job clear-quarantine = %q, %v", out, err)
	}
}

// TestQuarantineHelp: the quarantine commands answer --help without a
// server.
func TestQuarantineHelp(t *testing.T) {
	for _, args := range [][]string{{"job", "clear-quarantine"}, {"job", "staged"}, {"job", "allow-deletes"}} {
		out, err := cli(t, nil, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("provisio %s --help = %q, %v; want usage", strings.Join(args, " "), out, err)
		}
	}
}
