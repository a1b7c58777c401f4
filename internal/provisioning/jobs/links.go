package jobs

import (
	"context"
	"fmt"
	"sync"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/record"
	"github.com/provisio-dev/provisio/internal/store"
)

// flushAt is the number of buffered link writes or log entries that
// triggers a write to the store.
const flushAt = 1000

// linkStore is the engine's LinkStore over a store.JobStore. Writes are
// buffered (the latest per link) and flushed in one transaction when the
// buffer is full, before the watermark moves and at the end of a cycle;
// a pending-create link is written at once, because it must be durable
// before the create is sent. A failed write invalidates the job's
// provisioning.LinkTable (table), which then holds links the store does
// not.
type linkStore struct {
	st    store.JobStore
	jobID string
	table *provisioning.LinkTable // nil: none kept

	mu  sync.Mutex
	put map[record.Key]record.Link
	del map[record.Key]bool

	// Pending-create links written at once, committed together when
	// several arrive while one commit is in progress (group commit).
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
	if err := l.flush(ctx); err != nil {
		return nil, err
	}
	return l.st.LinkStates(ctx, l.jobID, t)
}

func (l *linkStore) LinksOf(ctx context.Context, t provisioning.ObjectType, ids []string) ([]provisioning.Link, error) {
	if err := l.flush(ctx); err != nil {
		return nil, err
	}
	return l.st.LinksOf(ctx, l.jobID, t, ids)
}

func (l *linkStore) PutLink(ctx context.Context, link provisioning.Link) error {
	k := link.Key()
	l.mu.Lock()
	if link.State == provisioning.LinkPendingCreate {
		delete(l.put, k)
		delete(l.del, k)
		l.mu.Unlock()
		return l.writeNow(ctx, link)
	}
	if l.put == nil {
		l.put, l.del = map[record.Key]record.Link{}, map[record.Key]bool{}
	}
	delete(l.del, k)
	l.put[k] = link
	full := len(l.put)+len(l.del) >= flushAt
	l.mu.Unlock()
	if full {
		return l.flush(ctx)
	}
	return nil
}

// PutPending writes the links at once, in one transaction.
func (l *linkStore) PutPending(ctx context.Context, links []provisioning.Link) error {
	l.mu.Lock()
	for _, link := range links {
		k := link.Key()
		delete(l.put, k)
		delete(l.del, k)
	}
	l.mu.Unlock()
	return l.write(ctx, links, nil)
}

func (l *linkStore) DeleteLink(ctx context.Context, t provisioning.ObjectType, sourceID string) error {
	k := record.Key{Type: t, SourceID: sourceID}
	l.mu.Lock()
	if l.put == nil {
		l.put, l.del = map[record.Key]record.Link{}, map[record.Key]bool{}
	}
	delete(l.put, k)
	l.del[k] = true
	full := len(l.put)+len(l.del) >= flushAt
	l.mu.Unlock()
	if full {
		return l.flush(ctx)
	}
	return nil
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
	err := l.write(ctx, rows, nil)
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

// flush writes the buffered link changes. It holds the lock while writing
// so a later write of the same link cannot overtake an earlier one.
func (l *linkStore) flush(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.put) == 0 && len(l.del) == 0 {
		return nil
	}
	put := make([]record.Link, 0, len(l.put))
	for _, r := range l.put {
		put = append(put, r)
	}
	del := make([]record.Key, 0, len(l.del))
	for k := range l.del {
		del = append(del, k)
	}
	if err := l.write(ctx, put, del); err != nil {
		return fmt.Errorf("write %d links: %w", len(put)+len(del), err)
	}
	l.put, l.del = nil, nil
	return nil
}

// write writes to the store, invalidating the table when that fails.
func (l *linkStore) write(ctx context.Context, put []record.Link, del []record.Key) error {
	err := l.st.WriteLinks(ctx, l.jobID, put, del)
	if err != nil && l.table != nil {
		l.table.Invalidate()
	}
	return err
}

func (l *linkStore) Watermark(ctx context.Context) (int64, bool, error) {
	return l.st.Watermark(ctx, l.jobID)
}

// SetWatermark flushes the links first: the watermark may only move past
// changes whose links are stored.
func (l *linkStore) SetWatermark(ctx context.Context, seq int64) error {
	if err := l.flush(ctx); err != nil {
		return err
	}
	return l.st.SetWatermark(ctx, l.jobID, seq)
}

func (l *linkStore) ClearWatermark(ctx context.Context) error {
	return l.st.ClearWatermark(ctx, l.jobID)
}
