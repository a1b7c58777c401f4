package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
)

// testJobGuard: a job starts with the zero guard; each setter changes its
// own fields; JobGuards lists what was stored; an unknown job is
// ErrNotFound; the guard goes with its job.
func testJobGuard(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app-guard")
	other := newJob(t, s, "app-other")
	if g, err := s.JobGuard(ctx, j.ID); err != nil || !reflect.DeepEqual(g, store.JobGuard{JobID: j.ID}) {
		t.Fatalf("JobGuard(new job) = %+v, %v, want the zero guard", g, err)
	}
	five, thirty := 5, 30
	steps := []struct {
		name string
		set  func() error
		want store.JobGuard
	}{
		{"threshold", func() error { return s.SetDeletionThreshold(ctx, j.ID, &five, &thirty) },
			store.JobGuard{JobID: j.ID, DeletionThreshold: &five, DeletionThresholdPercent: &thirty}},
		{"allow", func() error { return s.SetAllowDeletes(ctx, j.ID, true) },
			store.JobGuard{JobID: j.ID, DeletionThreshold: &five, DeletionThresholdPercent: &thirty, AllowDeletes: true}},
		{"quarantine", func() error { return s.SetQuarantine(ctx, j.ID, []byte(`{"reason":"x"}`)) },
			store.JobGuard{JobID: j.ID, DeletionThreshold: &five, DeletionThresholdPercent: &thirty, AllowDeletes: true, Quarantine: []byte(`{"reason":"x"}`)}},
		{"percent cleared", func() error { return s.SetDeletionThreshold(ctx, j.ID, &five, nil) },
			store.JobGuard{JobID: j.ID, DeletionThreshold: &five, AllowDeletes: true, Quarantine: []byte(`{"reason":"x"}`)}},
		{"quarantine cleared", func() error { return s.SetQuarantine(ctx, j.ID, nil) },
			store.JobGuard{JobID: j.ID, DeletionThreshold: &five, AllowDeletes: true}},
		{"allow cleared", func() error { return s.SetAllowDeletes(ctx, j.ID, false) },
			store.JobGuard{JobID: j.ID, DeletionThreshold: &five}},
	}
	for _, st := range steps {
		if err := st.set(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if g, err := s.JobGuard(ctx, j.ID); err != nil || !reflect.DeepEqual(g, st.want) {
			t.Errorf("%s: JobGuard() = %+v, %v, want %+v", st.name, g, err, st.want)
		}
	}
	if err := s.SetQuarantine(ctx, other.ID, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	gs, err := s.JobGuards(ctx)
	if err != nil || len(gs) != 2 {
		t.Fatalf("JobGuards() = %+v, %v, want 2 guards", gs, err)
	}
	if _, err := s.JobGuard(ctx, "no-such-job"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("JobGuard(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.SetQuarantine(ctx, "no-such-job", []byte(`{}`)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetQuarantine(unknown) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteJob(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	if gs, err := s.JobGuards(ctx); err != nil || len(gs) != 1 || gs[0].JobID != j.ID {
		t.Errorf("JobGuards() after DeleteJob = %+v, %v, want only %s's", gs, err, j.ID)
	}
}
