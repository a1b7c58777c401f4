package jobs_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// recorder is an Observer that writes down every event.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *recorder) CycleStarted(c jobs.CycleInfo) {
	r.add(fmt.Sprintf("started %s %s", c.AppID, c.Kind))
}

func (r *recorder) ActionLogged(c jobs.CycleInfo, e provisioning.LogEntry) {
	r.add(fmt.Sprintf("logged %s %s", e.Action, e.Status))
}

func (r *recorder) CycleFinished(c jobs.CycleInfo, sum *jobs.CycleSummary, err error) {
	r.add(fmt.Sprintf("finished %s created=%d err=%v", c.Kind, sum.Stats.Created, err))
}

// TestObservers: an Observer hears a cycle start, each logged action and
// the cycle's end with its summary, in that order.
func TestObservers(t *testing.T) {
	rec := &recorder{}
	e := sqliteEnv(t, func(o *jobs.Options) { o.Observers = []jobs.Observer{rec} })
	e.configure(jobs.Config{})
	e.addUsers(1, 2)
	e.run()
	e.run()
	want := []string{
		"started " + appID + " initial", "logged create success", "logged create success", "finished initial created=2 err=<nil>",
		"started " + appID + " incremental", "finished incremental created=0 err=<nil>",
	}
	if !reflect.DeepEqual(rec.events, want) {
		t.Errorf("events = %q, want %q", rec.events, want)
	}
}
