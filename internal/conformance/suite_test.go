package conformance

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// runSuite walks the steps of a Runscope test in order. Pause steps are
// not waited for (the store is consistent at once); JavaScript step
// scripts are not executed and are logged as such.
func runSuite(t *testing.T, suite *Test, r *Runner) {
	t.Helper()
	for i, step := range suite.Steps {
		switch {
		case step.StepType == StepPause:
			continue
		case step.StepType != StepRequest:
			t.Errorf("step %d: unsupported step type %q", i, step.StepType)
			continue
		case step.Skipped:
			t.Logf("step %d %q is marked skipped in the suite", i, step.Note)
			continue
		}
		t.Run(stepName(i, step), func(t *testing.T) {
			runStep(t, step, r)
		})
	}
}

// stepName names a step's subtest: its index and note, without slashes
// (which would nest subtests).
func stepName(i int, step Step) string {
	return fmt.Sprintf("%02d %s", i, strings.ReplaceAll(strings.TrimSpace(step.Note), "/", "-"))
}

func runStep(t *testing.T, step Step, r *Runner) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	resp, err := r.Send(ctx, step)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range step.Assertions {
		t.Run(a.String(), func(t *testing.T) {
			if err := a.Check(resp, r.Vars); err != nil {
				t.Errorf("%s %s: %s: %v\nresponse: %d %.1000s", step.Method, step.URL, a, err, resp.Status, resp.Body)
			}
		})
	}
	for _, v := range step.Variables {
		val, err := Extract(v, resp)
		if err != nil {
			t.Errorf("%s %s: %v\nresponse: %d %.1000s", step.Method, step.URL, err, resp.Status, resp.Body)
			continue
		}
		r.Vars[v.Name] = val
	}
	if step.HasScripts() {
		t.Logf("the step's Runscope script is not executed (JavaScript); its assertions above are")
	}
}
