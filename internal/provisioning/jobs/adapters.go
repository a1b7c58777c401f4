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
// before the create is sent.
type linkStore struct {
	st    store.JobStore
	jobID string
	cache *linkCache // nil: none

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

// Links returns the links without Written (see provisioning.LinkStore),
// from the cache when it holds them.
func (l *linkStore) Links(ctx context.Context, t provisioning.ObjectType) ([]provisioning.Link, error) {
	if err := l.flush(ctx); err != nil {
		return nil, err
	}
	if ls, ok := l.cache.links(t); ok {
		return ls, nil
	}
	ls, err := l.st.LinkStates(ctx, l.jobID, t)
	if err != nil {
		return nil, err
	}
	l.cache.fill(t, ls)
	return ls, nil
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
	err := l.st.WriteLinks(ctx, l.jobID, links, nil)
	l.cache.apply(links, nil, err)
	return err
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
	err := l.st.WriteLinks(ctx, l.jobID, rows, nil)
	l.cache.apply(rows, nil, err)
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
	err := l.st.WriteLinks(ctx, l.jobID, put, del)
	l.cache.apply(put, del, err)
	if err != nil {
		return fmt.Errorf("write %d links: %w", len(put)+len(del), err)
	}
	l.put, l.del = nil, nil
	return nil
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

// linkCache keeps a job's links without Written between cycles, so that
// an incremental cycle does not read every link from the store again: all
// link writes of a job go through its linkStore, which keeps the cache in
// step, and a failed write empties it (the next cycle reads the store).
// It is safe for concurrent use; a nil *linkCache caches nothing.
type linkCache struct {
	mu sync.Mutex
	m  map[provisioning.ObjectType]map[string]provisioning.Link // a type is cached once read
}

// links returns the cached links of type t.
func (c *linkCache) links(t provisioning.ObjectType) ([]provisioning.Link, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	byID, ok := c.m[t]
	if !ok {
		return nil, false
	}
	out := make([]provisioning.Link, 0, len(byID))
	for _, l := range byID {
		out = append(out, l)
	}
	return out, true
}

// fill caches the links of type t, read from the store.
func (c *linkCache) fill(t provisioning.ObjectType, ls []provisioning.Link) {
	if c == nil {
		return
	}
	byID := make(map[string]provisioning.Link, len(ls))
	for _, l := range ls {
		l.Written = nil
		byID[l.SourceID] = l
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[provisioning.ObjectType]map[string]provisioning.Link{}
	}
	c.m[t] = byID
}

// apply records a write of the store: put and del when it succeeded,
// nothing cached any more when it failed.
func (c *linkCache) apply(put []record.Link, del []record.Key, err error) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.m = nil
		return
	}
	for _, r := range put {
		if byID, ok := c.m[r.Type]; ok {
			r.Written = nil
			byID[r.SourceID] = r
		}
	}
	for _, k := range del {
		delete(c.m[k.Type], k.SourceID)
	}
}

// logSink is the engine's LogSink over a store.JobStore, buffered like the
// links; it also feeds the running cycle's progress.
type logSink struct {
	st       store.JobStore
	jobID    string
	progress *tracker // nil for plans

	mu  sync.Mutex
	buf []provisioning.LogEntry
}

var _ provisioning.LogSink = (*logSink)(nil)

func (l *logSink) Append(ctx context.Context, entries ...provisioning.LogEntry) error {
	if l.progress != nil {
		for _, e := range entries {
			l.progress.note(e)
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
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) == 0 {
		return nil
	}
	if err := l.st.AppendLogs(ctx, l.jobID, l.buf); err != nil {
		return fmt.Errorf("write %d log entries: %w", len(l.buf), err)
	}
	l.buf = nil
	return nil
}
