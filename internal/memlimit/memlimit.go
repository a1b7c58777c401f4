// Package memlimit gives a serve process a soft memory limit that follows
// what is live (issue 15: the engine's peak memory bounded by the batch,
// not by twice the heap).
//
// Go's collector lets the heap grow to twice what the last collection
// found live (GOGC=100) and gives idle memory back to the system slowly,
// so a process peaks at about twice its live heap. A fixed GOMEMLIMIT caps
// that, but one small enough for 100,000 users makes the collector run
// without pause once a larger directory is live. Follow sets the limit
// instead, every second, to what the last collection found live plus
// half of it (at least Floor): the heap grows by half its live size
// between collections rather than by all of it, memory above the limit
// goes back to the system at once, and a larger directory raises the
// limit with it. The price is more frequent collections.
//
// A GOMEMLIMIT in the environment (a size, or "off") wins: Follow then
// leaves the runtime's limit as it is.
package memlimit

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Floor is the least limit Follow sets: below it the collector runs as
// GOGC alone says.
const Floor = 64 << 20

// For is the limit Follow sets when live bytes of heap were found live by
// the last collection: live and half of it again, plus the runtime's own
// memory beyond the heap (stacks, metadata; ~16 MiB), at least Floor.
func For(live uint64) int64 {
	return max(Floor, int64(live+live/2)+16<<20)
}

// Follow adjusts the soft memory limit every interval until ctx ends,
// unless GOMEMLIMIT is set (getenv is os.Getenv; nil for it). It reports
// whether it runs.
func Follow(ctx context.Context, interval time.Duration, getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("GOMEMLIMIT") != "" {
		return false
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	adjust := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			debug.SetMemoryLimit(For(sample[0].Value.Uint64()))
		}
	}
	adjust()
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				adjust()
			}
		}
	}()
	return true
}
