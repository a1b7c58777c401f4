// Package browsertest is the one chromedp harness of Provisio's browser
// tests (issues 13 and 14): it starts Debian's chromium headless, runs
// axe-core from npm on a page, takes screenshots and runs steps with a
// failure message that shows the page. It is imported only by tests
// (internal/deptest enforces it).
//
// chromium must be installed (scripts/ensure-chromium.sh, which `make test`
// runs); the browser tests are never skipped: a missing chromium or
// axe-core fails the test with what to do.
package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// StepTimeout bounds each [Do].
const StepTimeout = 30 * time.Second

// Chromium finds Debian's chromium on PATH; without it the test fails
// with the fix.
func Chromium(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not on PATH (%v): the browser tests need it and are never skipped; run scripts/ensure-chromium.sh (or make browser)", err)
	}
	return p
}

// New starts a headless chromium (1280×900, fresh profile, no GPU; no
// sandbox when running as root, where chromium refuses its sandbox) and
// returns a context for chromedp.Do and chromedp.Run, bounded by timeout.
// The browser is closed when the test ends.
func New(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless
		chromedp.ExecPath(Chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.DisableGPU,
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// AxeSource is axe-core's axe.min.js, npm-installed into the Go build
// cache on first use.
func AxeSource(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "axe")
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(file); err != nil {
		if out, err := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", dir, "axe-core").CombinedOutput(); err != nil {
			t.Fatalf("npm install axe-core: %v\n%s", err, out)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// CheckA11y runs axe-core (source from [AxeSource]) on the current page
// and fails on any serious or critical violation (WCAG 2.x A and AA rules
// and best practices).
func CheckA11y(t testing.TB, ctx context.Context, axe, page string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[int](axe+"\n;1"))
	type result struct {
		Violations []axeViolation `json:"violations"`
		Passes     int            `json:"passes"`
	}
	var r result
	if err == nil {
		r, err = chromedp.Run(ctx, chromedp.Evaluate[result](`axe.run(document).then(r => ({violations: r.violations, passes: r.passes.length}))`, chromedp.EvalAwaitPromise))
	}
	if err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	if r.Passes == 0 {
		t.Fatalf("axe on %s checked nothing", page)
	}
	t.Logf("axe on %s: %d rules passed, %d violated", page, r.Passes, len(r.Violations))
	for _, v := range r.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			targets, _ := json.Marshal(v.Nodes)
			t.Errorf("axe on %s: %s %s (%s) at %s", page, v.Impact, v.ID, v.Help, targets)
		}
	}
}

// Screenshot takes a full-page screenshot (it must succeed) and saves it
// as dir/name.png when PROVISIO_SCREENSHOTS=1.
func Screenshot(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) == 0 {
		t.Fatalf("screenshot %s is empty", name)
	}
	if os.Getenv("PROVISIO_SCREENSHOTS") != "1" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Do runs steps within [StepTimeout]; on failure it fails the test with
// the page's address and text.
func Do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
	}
}

// JS is a step running a script (its result is dropped).
func JS(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, t)
		return err
	})
}

// Text is the trimmed text of the element sel matches.
func Text(ctx context.Context, sel string) (string, error) {
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	return strings.TrimSpace(s), err
}

// WaitText waits up to [StepTimeout] for sel's text to be want.
func WaitText(t testing.TB, ctx context.Context, sel, want string) {
	t.Helper()
	deadline := time.Now().Add(StepTimeout)
	for {
		got, err := Text(ctx, sel)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %q, %v, want %q", sel, got, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Fresh runs a, which navigates, and returns once a new document has
// replaced the current one: a page that looks like the last one (a form
// shown again with an error) is not taken for it. The current document is
// marked with a window property that a new document lacks.
func Fresh(a chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	const mark, check = "window.provisioStale = true", "window.provisioStale === true"
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Evaluate[bool](mark)(ctx, t); err != nil {
			return err
		}
		if _, err := a(ctx, t); err != nil {
			return err
		}
		for {
			// Evaluating fails while the old document goes away: try again.
			if stale, err := chromedp.Evaluate[bool](check)(ctx, t); err == nil && !stale {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}
