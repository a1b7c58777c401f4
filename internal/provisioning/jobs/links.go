package jobs

import (
	"context"
	"sync"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/record"
	"github.com/provisio-dev/provisio/internal/store"
)

// linkStore is the engine's LinkStore over a store.JobStore: the engine's
// provisioning.LinkTable decides what is written when, and concurrent
// writes of one link each (a pending create each, from apply's
// goroutines) are committed together (group commit).
type linkStore struct {
	st    store.JobStore
	jobID string

	gmu     sync.Mutex
	queue   []queuedLink
	leading bool
}

type queuedLink struct {
	row  record.Link
	done chan error
}

var _ provisioning.LinkStore = (*linkStore)(nil)

// Links returns the links without Written (see provisioning.LinkStore).
func (l *linkStore) Links(ctx context.Context, t provisioning.ObjectType) ([]provisioning.Link, error) {
	return l.st.LinkStates(ctx, l.jobID, t)
}

func (l *linkStore) LinksOf(ctx context.Context, t provisioning.ObjectType, ids []string) ([]provisioning.Link, error) {
	return l.st.LinksOf(ctx, l.jobID, t, ids)
}

// WriteLinks writes in one transaction; a single link shares its
// transaction with those written meanwhile.
func (l *linkStore) WriteLinks(ctx context.Context, put []provisioning.Link, del []provisioning.LinkKey) error {
	if len(put) == 1 && len(del) == 0 {
		return l.writeNow(ctx, put[0])
	}
	return l.st.WriteLinks(ctx, l.jobID, put, del)
}

// writeNow writes row and returns once it is committed. The first writer
// commits what is queued; writers arriving meanwhile queue up and are
// committed together by the next leader, so concurrent creates share
// transactions instead of paying one commit each.
func (l *linkStore) writeNow(ctx context.Context, row record.Link) error {
	q := queuedLink{row: row, done: make(chan error, 1)}
	l.gmu.Lock()
	l.queue = append(l.queue, q)
	lead := !l.leading
	l.leading = true
	l.gmu.Unlock()
	if lead {
		l.lead(ctx)
	}
	return <-q.done
}

// lead commits the queue, then hands the lead to a new goroutine if more
// writes queued meanwhile (all writers of a cycle share its ctx).
func (l *linkStore) lead(ctx context.Context) {
	l.gmu.Lock()
	batch := l.queue
	l.queue = nil
	l.gmu.Unlock()
	rows := make([]record.Link, len(batch))
	for i, q := range batch {
		rows[i] = q.row
	}
	err := l.st.WriteLinks(ctx, l.jobID, rows, nil)
	for _, q := range batch {
		q.done <- err
	}
	l.gmu.Lock()
	defer l.gmu.Unlock()
	if len(l.queue) == 0 {
		l.leading = false
		return
	}
	go l.lead(ctx)
}

func (l *linkStore) Watermark(ctx context.Context) (int64, bool, error) {
	return l.st.Watermark(ctx, l.jobID)
}

func (l *linkStore) SetWatermark(ctx context.Context, seq int64) error {
	return l.st.SetWatermark(ctx, l.jobID, seq)
}

func (l *linkStore) ClearWatermark(ctx context.Context) error {
	return l.st.ClearWatermark(ctx, l.jobID)
}
