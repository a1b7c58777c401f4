package jobs_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// rejectCreatesOf makes the target answer 500 to the POSTs whose body
// holds marker.
func (tg *target) rejectCreatesOf(marker string) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if marker == "" {
		tg.reject = nil
		return
	}
	tg.reject = func(r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		return bytes.Contains(body, []byte(marker))
	}
}

// A failed object becomes an escrow, listed with its action, name, error
// and next retry; back-to-back cycles leave it until it is due, and
// RetryEscrows makes it due now and runs a cycle that provisions it.
func TestEscrowsListedAndRetried(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	e.addUsers(1, 3)
	e.target.rejectCreatesOf("user2@example.com")
	if sum := e.run(); sum.Stats.Failed != 1 || sum.Stats.Created != 2 {
		t.Fatalf("first cycle stats = %+v, want 2 created, 1 failed", sum.Stats)
	}
	failedAt := e.clock.now()
	es, err := e.svc.Escrows(ctx, appID)
	if err != nil {
		t.Fatalf("Escrows = %v", err)
	}
	if len(es) != 1 || es[0].SourceID != "u2" || es[0].SourceName != "user2@example.com" || es[0].Action != provisioning.ActionCreate ||
		es[0].Attempts != 1 || es[0].LastError == "" || !es[0].NextRetry.Equal(failedAt.Add(time.Minute)) {
		t.Fatalf("Escrows = %+v, want u2's create, 1 attempt, next retry %v", es, failedAt.Add(time.Minute))
	}
	e.target.rejectCreatesOf("")
	if sum := e.run(); sum.Stats.Created != 0 || sum.Stats.Failed != 0 {
		t.Errorf("back-to-back cycle stats = %+v, want the escrow left until due", sum.Stats)
	}
	if _, err := e.svc.RetryEscrows(ctx, appID, "nobody"); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("RetryEscrows(unknown object) = %v, want not found", err)
	}
	r, err := e.svc.RetryEscrows(ctx, appID, "USER2@example.com")
	if err != nil || r.Due != 1 || !r.Started {
		t.Fatalf("RetryEscrows(user2) = %+v, %v, want 1 due and a cycle started", r, err)
	}
	<-r.Done
	if n := e.target.count(t, "Users"); n != 3 {
		t.Errorf("target users after the retry = %d, want 3", n)
	}
	if es, _ := e.svc.Escrows(ctx, appID); len(es) != 0 {
		t.Errorf("Escrows after the retry = %+v, want none", es)
	}
	if st := e.status(); st.LastCycle == nil || st.LastCycle.Stats.Created != 1 {
		t.Errorf("last cycle = %+v, want the retry's create", st.LastCycle)
	}
}
