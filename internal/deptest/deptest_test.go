// Package deptest checks the import graph (DESIGN.md convention 11).
package deptest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestPublicSCIMNeverImportsInternal keeps scim/... a reusable library.
func TestPublicSCIMNeverImportsInternal(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "github.com/provisio-dev/provisio/scim/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "/provisio/internal/") {
			t.Errorf("scim/... imports %s; the public library must not import internal packages", dep)
		}
	}
}

// TestStoresNeverImportHTTP keeps storage independent of Provisio's HTTP
// surfaces (net/http itself may appear for its status constants).
func TestStoresNeverImportHTTP(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "github.com/provisio-dev/provisio/internal/store/...", "github.com/provisio-dev/provisio/scim/backend").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasSuffix(dep, "/scim/server") || strings.HasSuffix(dep, "/scim/client") ||
			strings.Contains(dep, "/internal/adminapi") || strings.Contains(dep, "/internal/scimsvc") {
			t.Errorf("stores import %s; storage must not depend on HTTP code", dep)
		}
	}
}
