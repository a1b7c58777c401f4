package main

import (
	"strings"
	"testing"
)

// TestHealthcheck: `provisio healthcheck` exits 0 against a serving
// server's /healthz and /readyz, and fails against a port nobody serves
// and a path that is not 200; localURL turns a listen address into a
// local URL.
func TestHealthcheck(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	out, err := cli(t, nil, "healthcheck", "--url", s.base+"/healthz")
	if err != nil || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("healthcheck /healthz = %q, %v; want ok", out, err)
	}
	out, err = cli(t, nil, "healthcheck", "--url", s.base+"/readyz")
	if err != nil || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("healthcheck /readyz = %q, %v; want ok", out, err)
	}
	addr := strings.TrimPrefix(s.base, "http://")
	if _, err := cli(t, map[string]string{"PROVISIO_ADDR": addr}, "healthcheck", "--ready"); err != nil {
		t.Errorf("healthcheck --ready with $PROVISIO_ADDR=%s: %v", addr, err)
	}
	if _, err := cli(t, nil, "healthcheck", "--url", s.base+"/nothing-here"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("healthcheck of a 404 = %v, want an error naming 404", err)
	}
	if _, err := cli(t, nil, "healthcheck", "--url", "http://"+freeAddr(t)+"/healthz"); err == nil {
		t.Error("healthcheck of a port nobody serves succeeded")
	}
	for addr, want := range map[string]string{"": "http://127.0.0.1:8080", "0.0.0.0:9000": "http://127.0.0.1:9000",
		"[::]:80": "http://127.0.0.1:80", "10.0.0.5:8080": "http://10.0.0.5:8080", ":8081": "http://127.0.0.1:8081"} {
		if got := localURL(addr); got != want {
			t.Errorf("localURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
