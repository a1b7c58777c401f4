// Package deptest checks the import graph (DESIGN.md convention 11): the
// layering rules of DESIGN.md, written as data in rules_test.go, hold for
// every (non-test) package of the module.
package deptest

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/provisio-dev/provisio"

// layer is a set of packages: those matching a pattern of in and none of
// except. Patterns are module-relative import paths, "x/..." matching x
// and every package below it, "..." every package; a package outside the
// module (the standard library's "net/smtp") is named by its import path.
type layer struct{ in, except []string }

func in(patterns ...string) layer { return layer{in: patterns} }

func (l layer) has(pkg string) bool {
	match := func(p string) bool {
		if dir, ok := strings.CutSuffix(p, "/..."); ok {
			return pkg == dir || strings.HasPrefix(pkg, dir+"/")
		}
		return p == "..." || p == pkg
	}
	return slices.ContainsFunc(l.in, match) && !slices.ContainsFunc(l.except, match)
}

// rule is one layering rule: no package of pkgs imports a package of any
// layer in mayNot, directly or (unless direct) through other packages of
// the module. bad is an edge the rule must flag, which the tests check.
type rule struct {
	name   string
	pkgs   layer
	mayNot []layer
	direct bool // only direct imports count: reaching through another layer is the point
	bad    edge
}

type edge struct{ from, to string }

// graph maps each package of the module to its direct imports, the
// module's packages by module-relative path, others by import path.
type graph map[string][]string

// violations lists every import that breaks r in g, one line each.
func (r rule) violations(g graph) []string {
	var out []string
	for _, pkg := range sortedKeys(g) {
		if !r.pkgs.has(pkg) {
			continue
		}
		for _, dep := range r.reach(g, pkg) {
			if slices.ContainsFunc(r.mayNot, func(l layer) bool { return l.has(dep) }) {
				out = append(out, fmt.Sprintf("%s imports %s", pkg, dep))
			}
		}
	}
	return out
}

// reach returns what pkg imports: directly if r.direct, else every package
// its imports reach within the module (and the external packages those
// import), in a stable order.
func (r rule) reach(g graph, pkg string) []string {
	if r.direct {
		return g[pkg]
	}
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, d := range g[p] {
			if !seen[d] {
				seen[d] = true
				walk(d)
			}
		}
	}
	walk(pkg)
	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// moduleGraph reads the import graph of the module's packages.
func moduleGraph(t *testing.T) graph {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, modulePath+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	g := graph{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := relative(fields[0])
		g[pkg] = []string{}
		for _, imp := range fields[1:] {
			g[pkg] = append(g[pkg], relative(imp))
		}
	}
	return g
}

// relative turns an import path into a graph node.
func relative(path string) string {
	rel, _ := strings.CutPrefix(path, modulePath+"/")
	return rel
}

// TestLayering checks every rule of rules_test.go on the module.
func TestLayering(t *testing.T) {
	g := moduleGraph(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			for _, v := range r.violations(g) {
				t.Errorf("%s: breaks %q", v, r.name)
			}
		})
	}
}

// TestRulesBite checks that each rule flags its known-bad edge, so a rule
// that matches nothing (a mistyped pattern) cannot pass unnoticed.
func TestRulesBite(t *testing.T) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			g := graph{r.bad.from: {r.bad.to}}
			got := r.violations(g)
			want := fmt.Sprintf("%s imports %s", r.bad.from, r.bad.to)
			if !slices.Contains(got, want) {
				t.Errorf("violations(%s -> %s) = %q, want %q", r.bad.from, r.bad.to, got, want)
			}
		})
	}
}

// TestRulesAllow checks that the rules leave the edges the design wants
// alone: a layer reaching the store through a service, the store and the
// engine sharing the engine's value types, the wiring choosing the store.
func TestRulesAllow(t *testing.T) {
	tests := []struct {
		name string
		g    graph
	}{
		{"web through a service", graph{"internal/web": {"internal/dirsvc"}, "internal/dirsvc": {"internal/store"}}},
		{"store on the engine's records", graph{"internal/store/sqlstore": {"internal/provisioning/record", "internal/directory"}}},
		{"engine on the SCIM client", graph{"internal/provisioning/jobs": {"scim/client", "internal/store", "net/mail"}}},
		{"wiring picks the store", graph{"internal/app": {"internal/store/sqlstore", "internal/adminapi"}, "cmd/provisio": {"internal/app"}}},
		{"CLI on the client", graph{"cmd/provisio": {"internal/apiclient"}, "internal/apiclient": {"internal/apitypes", "net/http"}}},
		{"expressions on scim and the catalog", graph{"internal/expr/scoping": {"scim", "internal/directory", "regexp"}, "scim": {"net/http"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range rules {
				if got := r.violations(tc.g); len(got) > 0 {
					t.Errorf("violations(%v) of %q = %q, want none", tc.g, r.name, got)
				}
			}
		})
	}
}
