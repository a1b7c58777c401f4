package memlimit

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestFor(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		want int64
	}{
		{0, Floor},
		{20 << 20, Floor},
		{64 << 20, 112 << 20},
		{300 << 20, 466 << 20},
	} {
		if got := For(tt.live); got != tt.want {
			t.Errorf("For(%d MiB) = %d MiB, want %d MiB", tt.live>>20, got>>20, tt.want>>20)
		}
	}
}

// Follow sets the limit from what is live, and leaves it alone when
// GOMEMLIMIT is set.
func TestFollow(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	debug.SetMemoryLimit(math.MaxInt64)

	if Follow(t.Context(), time.Hour, func(string) string { return "200MiB" }) {
		t.Fatal("Follow runs with GOMEMLIMIT set")
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("with GOMEMLIMIT set the limit became %d", got)
	}

	keep := make([]byte, 64<<20) // live across the collection
	runtime.GC()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if !Follow(ctx, 10*time.Millisecond, func(string) string { return "" }) {
		t.Fatal("Follow does not run without GOMEMLIMIT")
	}
	got := debug.SetMemoryLimit(-1)
	if got < For(64<<20) || got > For(80<<20) {
		t.Errorf("limit %d MiB with 64 MiB live, want %d MiB or a little more", got>>20, For(64<<20)>>20)
	}
	runtime.KeepAlive(keep)
}
