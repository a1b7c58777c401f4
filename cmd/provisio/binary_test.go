package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryServes builds the real binary, runs `provisio serve` as a
// process, waits for /healthz, then stops it with SIGTERM and expects a
// clean exit: the same path `make run` takes.
func TestBinaryServes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "provisio")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(dir, "data")
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), "PROVISIO_DATA_DIR="+dataDir, "PROVISIO_DB=", "PROVISIO_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // cleanup after a failure; harmless after Wait

	lines := make(chan map[string]any, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				lines <- rec
			}
		}
	}()
	base := waitForLog(t, lines, "provisio serving")["base_url"].(string)

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d %s, want 200", resp.StatusCode, body)
	}
	if fi, err := os.Stat(filepath.Join(dataDir, "admin.token")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin.token: %v, %v; want a 0600 file", fi, err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, lines, "provisio stopped")
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("provisio serve after SIGTERM exited with %v, want status 0", err)
	}
}

// waitForLog returns the first JSON log record with msg, failing after 60s.
func waitForLog(t *testing.T, lines <-chan map[string]any, msg string) map[string]any {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case rec, ok := <-lines:
			if !ok {
				t.Fatalf("provisio exited before logging %q", msg)
			}
			if m, _ := rec["msg"].(string); strings.EqualFold(m, msg) {
				return rec
			}
		case <-deadline:
			t.Fatalf("provisio did not log %q within 60s", msg)
		}
	}
}
