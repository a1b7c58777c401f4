package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
)

// testLinkGeneration: the generation starts at 1, counts every bump of
// the job alone, and concurrent bumps each get a value of their own.
func testLinkGeneration(t *testing.T, s store.JobStore) {
	ctx := context.Background()
	j := newJob(t, s, "app")
	other := newJob(t, s, "other")
	for want := int64(1); want <= 2; want++ {
		if got, err := s.BumpLinkGeneration(ctx, j.ID); err != nil || got != want {
			t.Fatalf("BumpLinkGeneration #%d = %d, %v, want %d", want, got, err, want)
		}
	}
	if got, err := s.BumpLinkGeneration(ctx, other.ID); err != nil || got != 1 {
		t.Errorf("BumpLinkGeneration(other job) = %d, %v, want 1", got, err)
	}
	const n = 8
	seen := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			got, err := s.BumpLinkGeneration(ctx, j.ID)
			if err != nil {
				t.Errorf("concurrent BumpLinkGeneration = %v", err)
			}
			seen <- got
		})
	}
	wg.Wait()
	close(seen)
	got := map[int64]bool{}
	for g := range seen {
		got[g] = true
	}
	for want := int64(3); want < 3+n; want++ {
		if !got[want] {
			t.Errorf("concurrent bumps returned %v, want each of 3..%d once", got, 2+n)
			break
		}
	}
}
