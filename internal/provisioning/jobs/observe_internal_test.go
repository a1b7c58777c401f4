package jobs

import (
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

type cycleOnly struct{}

func (cycleOnly) CycleStarted(CycleInfo)                        {}
func (cycleOnly) ActionLogged(CycleInfo, provisioning.LogEntry) {}
func (cycleOnly) CycleFinished(CycleInfo, *CycleSummary, error) {}

type jobEvents struct {
	cycleOnly
	got []JobEvent
}

func (j *jobEvents) JobEvent(e JobEvent) { j.got = append(j.got, e) }

// TestJobEventReachesJobObservers: job events go to the observers that
// implement JobObserver, stamped with the service's clock.
func TestJobEventReachesJobObservers(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	je := &jobEvents{}
	s := &Service{observers: []Observer{cycleOnly{}, je}, now: func() time.Time { return now }}
	s.jobEvent(JobEvent{Kind: EventQuarantined, AppID: "a", Reason: "credentials refused"})
	if len(je.got) != 1 || je.got[0].Kind != EventQuarantined || !je.got[0].At.Equal(now) {
		t.Errorf("jobEvent() delivered %+v, want one quarantined event at %s", je.got, now)
	}
}
