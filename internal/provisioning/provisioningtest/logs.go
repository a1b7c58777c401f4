package provisioningtest

import (
	"context"
	"slices"
	"sync"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// Logs is an in-memory provisioning.LogSink.
type Logs struct {
	mu      sync.Mutex
	entries []provisioning.LogEntry
}

var _ provisioning.LogSink = (*Logs)(nil)

// Append implements provisioning.LogSink.
func (l *Logs) Append(_ context.Context, entries ...provisioning.LogEntry) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, entries...)
	return nil
}

// Entries returns a copy of every entry so far.
func (l *Logs) Entries() []provisioning.LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}
