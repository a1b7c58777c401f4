package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestJobRateLimitCLI: job configure --rate and --concurrency, shown by
// job get; job status shows the throttle after a cycle.
func TestJobRateLimitCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
	var out map[string]any
	s.cliJSON(t, &out, "user", "create", "alice@contoso.com")
	s.cliJSON(t, &out, "app", "create", "Portal")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "alice@contoso.com")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	var job apitypes.Job
	s.cliJSON(t, &job, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile, "--rate", "25", "--concurrency", "4")
	if job.RateLimit != 25 || job.MaxConcurrency != 4 {
		t.Errorf("job configure --rate 25 --concurrency 4 = rate %v, concurrency %d", job.RateLimit, job.MaxConcurrency)
	}
	mustCLI := func(args ...string) string {
		t.Helper()
		stdout, err := s.cliIn(t, nil, args...)
		if err != nil {
			t.Fatalf("provisio %s: %v", strings.Join(args, " "), err)
		}
		return stdout
	}
	if got := mustCLI("job", "get", "Portal"); !strings.Contains(got, "rateLimit                25/s") || !strings.Contains(got, "concurrency              4") {
		t.Errorf("job get = %q, want rateLimit 25/s and concurrency 4", got)
	}
	if _, err := s.cliIn(t, nil, "job", "configure", "Portal", "--rate", "-3"); err == nil || !strings.Contains(err.Error(), "rate limit -3") {
		t.Errorf("job configure --rate -3 = %v, want it refused", err)
	}
	s.cliJSON(t, &job, "job", "configure", "Portal", "--concurrency", "0")
	if job.RateLimit != 25 || job.MaxConcurrency != 0 {
		t.Errorf("job configure --concurrency 0 = rate %v, concurrency %d; want 25 kept, 0", job.RateLimit, job.MaxConcurrency)
	}
	if got := mustCLI("job", "get", "Portal"); !strings.Contains(got, "256 (default)") {
		t.Errorf("job get = %q, want concurrency 256 (default)", got)
	}
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Created != 1 {
		t.Fatalf("job run = %+v, want alice created", cyc)
	}
	if got := mustCLI("job", "status", "Portal"); !strings.Contains(got, "THROTTLE") || !strings.Contains(got, "rate 25/s of 25/s, concurrency 16 of 256 (throttled 0 times") {
		t.Errorf("job status = %q, want the throttle at rate 25/s of 25/s, concurrency 16 of 256", got)
	}
}
