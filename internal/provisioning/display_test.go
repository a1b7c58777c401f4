package provisioning

import (
	"fmt"
	"strings"
	"testing"
)

// ids returns n sorted member ids of the directory's form.
func memberIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	return out
}

func TestDisplayCutsLongLists(t *testing.T) {
	short := memberIDs(maxLogValues)
	if got, want := display(short, true), strings.Join(short, ","); got != want {
		t.Errorf("%d values: shown cut: %.80q...", len(short), got)
	}
	long := memberIDs(maxLogValues + 1)
	want := strings.Join(long[:maxLogValues], ",") + fmt.Sprintf(", … (%d values)", maxLogValues+1)
	if got := display(long, true); got != want {
		t.Errorf("%d values: got ...%q, want ...%q", len(long), got[len(got)-60:], want[len(want)-60:])
	}
	// Unsorted and after a JSON round trip: the first values in order.
	rev := make([]any, len(long))
	for i, id := range long {
		rev[len(long)-1-i] = id
	}
	if got := display(rev, true); got != want {
		t.Errorf("unsorted []any: got ...%q, want ...%q", got[len(got)-60:], want[len(want)-60:])
	}
}

// BenchmarkDisplayMillionMembers is the log's rendering of a
// 1,000,000-member group (B/op: what it allocates).
func BenchmarkDisplayMillionMembers(b *testing.B) {
	ids := memberIDs(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		_ = display(ids, true)
	}
}
