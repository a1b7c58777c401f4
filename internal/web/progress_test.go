package web

import (
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestLiveProgressTotal: the <progress> is determinate (value of total)
// once the status knows the running cycle's total, indeterminate before.
func TestLiveProgressTotal(t *testing.T) {
	running := func(total, considered int64) live {
		return liveOf(apitypes.JobStatus{State: "running", Enabled: true, Progress: &apitypes.Progress{Kind: "initial",
			Processed: 3, Total: total, Considered: considered}})
	}
	if l := running(0, 0); !l.Running || l.Total != 0 || strings.Contains(l.Text["st-phase"], "considered") {
		t.Errorf("no total yet: %+v, want indeterminate", l)
	}
	if l := running(120, 50); l.Total != 120 || l.Value != 50 || !strings.Contains(l.Text["st-phase"], "50 of 120 considered") {
		t.Errorf("total 120, 50 considered: %+v", l)
	}
	if l := running(10, 12); l.Value != 10 {
		t.Errorf("considered above total: value %d, want capped at 10", l.Value)
	}
	if l := liveOf(apitypes.JobStatus{State: "idle", LastCycle: &apitypes.Cycle{Kind: "initial"}}); l.Total != 0 || !l.Done {
		t.Errorf("finished: %+v, want done without total", l)
	}
}
