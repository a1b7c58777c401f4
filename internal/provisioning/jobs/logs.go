package jobs

import (
	"context"
	"fmt"
	"sync"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
)

// flushAt is the number of buffered log entries that triggers a write to
// the store.
const flushAt = 1000

// logSink is the engine's LogSink over a store.JobStore, buffered like the
// links; it also tells the cycle's observers of every entry.
type logSink struct {
	st    store.JobStore
	jobID string
	obs   *observers // nil for plans

	mu  sync.Mutex
	buf []provisioning.LogEntry
	// writeMu orders the writes: a flush takes the buffer and writes it
	// outside mu, so entries keep being appended meanwhile.
	writeMu sync.Mutex
}

var _ provisioning.LogSink = (*logSink)(nil)

func (l *logSink) Append(ctx context.Context, entries ...provisioning.LogEntry) error {
	if l.obs != nil {
		for _, e := range entries {
			l.obs.logged(e)
		}
	}
	l.mu.Lock()
	l.buf = append(l.buf, entries...)
	full := len(l.buf) >= flushAt
	l.mu.Unlock()
	if full {
		return l.flush(ctx)
	}
	return nil
}

func (l *logSink) flush(ctx context.Context) error {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	l.mu.Lock()
	buf := l.buf
	l.buf = nil
	l.mu.Unlock()
	if len(buf) == 0 {
		return nil
	}
	if err := l.st.AppendLogs(ctx, l.jobID, buf); err != nil {
		// Kept for the next flush, before what was appended meanwhile.
		l.mu.Lock()
		l.buf = append(buf, l.buf...)
		l.mu.Unlock()
		return fmt.Errorf("write %d log entries: %w", len(buf), err)
	}
	return nil
}
