package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/provisio-dev/provisio/scim"
)

// PostgreSQL group commit. Each commit waits for its WAL flush and each
// statement wakes a backend: on a few cores those, not the rows, bound the
// write rate. So concurrent creates (without members) and compare-and-swap
// updates of one tenant are written together, one autocommitted statement
// per batch (the tenant's shared feed lock, the rows, their events).
//
// No write waits for a batch to fill: per tenant and kind up to
// pgInFlight statements run at once, and a write arriving while they all
// run queues; when a statement ends, the first queued write leads the
// next one with all that queued meanwhile (up to pgMaxBatch). Idle, every
// write runs alone at once; under load, batches grow with the load.
//
// Guarantees are those of a single write: every caller is answered after
// the commit of its own statement; the feed lock is taken before any
// event's seq is drawn (see the package doc); a create rejected by a
// unique index, or any write of a statement that failed, is run again
// alone, so it gets the exact error of today's single statement and the
// others lose nothing.

const (
	// pgMaxBatch bounds the writes of one statement.
	pgMaxBatch = 64
	// pgInFlight is the number of statements per tenant and kind in
	// flight at once before writes queue.
	pgInFlight = 2
)

// pgKind is what a batch writes.
type pgKind uint8

const (
	pgCreate pgKind = iota
	pgUpdate
)

type pgKey struct {
	tenant string
	kind   pgKind
}

// pgWrite is one queued write: a create's new row, or an update's new row
// with the version it replaces (row.version - 1).
type pgWrite struct {
	ctx  context.Context
	rt   *scim.ResourceType
	r    row // body encoded; doc for uniqueness errors
	cols columns
	err  error
	done chan struct{} // closed when err is set, or when lead is
	lead []*pgWrite    // set when this write must run the next batch
}

type pgQueue struct {
	running int
	waiting []*pgWrite
}

// pgWriter groups PostgreSQL writes into batches.
type pgWriter struct {
	s      *Store
	mu     sync.Mutex
	queues map[pgKey]*pgQueue

	batched atomic.Int64 // statements that wrote more than one write
}

func newPGWriter(s *Store) *pgWriter {
	return &pgWriter{s: s, queues: map[pgKey]*pgQueue{}}
}

// create inserts r (version 1) and its create event.
func (p *pgWriter) create(ctx context.Context, tenant string, rt *scim.ResourceType, r row, cols columns) error {
	return p.do(pgKey{tenant, pgCreate}, &pgWrite{ctx: ctx, rt: rt, r: r, cols: cols})
}

// update stores r if the stored version is still r.version - 1 (else
// errConflict) and records the update event.
func (p *pgWriter) update(ctx context.Context, tenant string, rt *scim.ResourceType, r row, cols columns) error {
	return p.do(pgKey{tenant, pgUpdate}, &pgWrite{ctx: ctx, rt: rt, r: r, cols: cols})
}

// do runs w at once if fewer than pgInFlight statements of its key are
// running, else queues it for the next batch, and returns its outcome.
func (p *pgWriter) do(k pgKey, w *pgWrite) error {
	w.done = make(chan struct{})
	p.mu.Lock()
	q := p.queues[k]
	if q == nil {
		q = &pgQueue{}
		p.queues[k] = q
	}
	if q.running < pgInFlight {
		q.running++
		p.mu.Unlock()
		p.runAndPass(k, q, []*pgWrite{w})
		return w.err
	}
	q.waiting = append(q.waiting, w)
	p.mu.Unlock()
	<-w.done
	if w.lead != nil {
		p.runAndPass(k, q, w.lead)
	}
	return w.err
}

// runAndPass runs batch (whose first write belongs to the calling
// goroutine), answers the others, then hands the writes queued meanwhile
// to the first of them, or frees the slot.
func (p *pgWriter) runAndPass(k pgKey, q *pgQueue, batch []*pgWrite) {
	p.run(k, batch)
	for _, w := range batch[1:] {
		close(w.done)
	}
	p.mu.Lock()
	if len(q.waiting) == 0 {
		q.running--
		if q.running == 0 {
			delete(p.queues, k)
		}
		p.mu.Unlock()
		return
	}
	n := min(len(q.waiting), pgMaxBatch)
	next := q.waiting[:n:n]
	q.waiting = q.waiting[n:]
	if len(q.waiting) == 0 {
		q.waiting = nil
	}
	next[0].lead = next
	p.mu.Unlock()
	close(next[0].done)
}

// run writes batch and sets each write's err. A write whose caller gave
// up before the batch ran is not written.
func (p *pgWriter) run(k pgKey, batch []*pgWrite) {
	live := batch[:0:0]
	for _, w := range batch {
		if w.err = w.ctx.Err(); w.err == nil {
			live = append(live, w)
		}
	}
	if len(live) == 0 {
		return
	}
	// The statement is not bound to any one caller's context: a caller
	// giving up must not fail the others' writes.
	ctx := context.WithoutCancel(live[0].ctx)
	if len(live) == 1 {
		p.runOne(ctx, k, live[0])
		return
	}
	p.batched.Add(1)
	var written []bool
	var err error
	if k.kind == pgCreate {
		written, err = p.createBatch(ctx, k.tenant, live)
	} else {
		written, err = p.updateBatch(ctx, k.tenant, live)
	}
	for i, w := range live {
		switch {
		case err != nil:
			// The statement committed nothing (short of a
			// connection lost during the commit, as uncertain for
			// a lone write): each write is tried again alone, so
			// one bad write fails alone.
			p.runOne(ctx, k, w)
		case written[i]:
		case k.kind == pgCreate:
			// A unique index rejected it (a row of another
			// statement, or an earlier one of this batch): alone,
			// it gets the exact 409, or succeeds if that row went.
			p.runOne(ctx, k, w)
		default:
			w.err = errConflict // the version moved: Update retries
		}
	}
}

// runOne writes w in a statement of its own.
func (p *pgWriter) runOne(ctx context.Context, k pgKey, w *pgWrite) {
	if k.kind == pgCreate {
		w.err = resources{p.s}.createOneStatement(ctx, k.tenant, w.rt, w.r, w.r.body, w.cols)
		return
	}
	written, err := p.updateBatch(ctx, k.tenant, []*pgWrite{w})
	switch {
	case err != nil:
		w.err = uniquenessError(err, w.r.doc)
	case !written[0]:
		w.err = errConflict
	}
}

// pgRows are a batch's rows as column arrays, for unnest.
type pgRows struct {
	ids, types, docs                                 []string
	userNames, externalIDs, displayNames, groupNames []*string
	actives                                          []*bool
	modified, versions                               []int64
}

func rowsOf(batch []*pgWrite) pgRows {
	var a pgRows
	for _, w := range batch {
		a.ids = append(a.ids, w.r.id)
		a.types = append(a.types, w.rt.Name)
		a.docs = append(a.docs, w.r.body)
		a.userNames = append(a.userNames, nullable(w.cols.userName))
		a.externalIDs = append(a.externalIDs, nullable(w.cols.externalID))
		a.displayNames = append(a.displayNames, nullable(w.cols.displayName))
		a.groupNames = append(a.groupNames, nullable(w.cols.groupName))
		var active *bool
		if w.cols.active.Valid {
			active = &w.cols.active.Bool
		}
		a.actives = append(a.actives, active)
		a.modified = append(a.modified, w.r.modified)
		a.versions = append(a.versions, w.r.version)
	}
	return a
}

func nullable(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// createBatch inserts the rows that no unique index rejects (ON CONFLICT
// DO NOTHING: within the batch, the earlier write wins) with their
// events, in one autocommitted statement, and reports which were.
// The events' insert reads the lock's row, so their seqs are drawn only
// once the feed lock is held.
func (p *pgWriter) createBatch(ctx context.Context, tenant string, batch []*pgWrite) ([]bool, error) {
	a := rowsOf(batch)
	return p.written(ctx, len(batch), `WITH l AS (SELECT pg_advisory_xact_lock_shared($1, hashtext($2))),
		v AS (SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::bigint[])
			WITH ORDINALITY AS v(id, type, doc, user_name, external_id, display_name, group_name, active, created, i)),
		r AS (INSERT INTO resources (tenant_id, id, type, doc, user_name, external_id, display_name, group_name, active, created, modified, version)
			SELECT $2, id, type, doc, user_name, external_id, display_name, group_name, active, created, created, 1 FROM v ORDER BY i
			ON CONFLICT DO NOTHING RETURNING id, type, created),
		e AS (INSERT INTO events (tenant_id, resource_type, resource_id, op, time) SELECT $2, r.type, r.id, 'create', r.created FROM r, l)
		SELECT v.i FROM r JOIN v ON v.id = r.id`,
		lockEvents, tenant, a.ids, a.types, a.docs, a.userNames, a.externalIDs, a.displayNames, a.groupNames, a.actives, a.modified)
}

// updateBatch writes each row whose stored version is still its
// version - 1 (compare-and-swap) with its event, in one autocommitted
// statement, and reports which were. Every normalized column is
// assigned: PostgreSQL compares the indexed values, so an unchanged one
// still allows a HOT update. Of two writes of one row in a batch, at most
// one is written.
func (p *pgWriter) updateBatch(ctx context.Context, tenant string, batch []*pgWrite) ([]bool, error) {
	a := rowsOf(batch)
	return p.written(ctx, len(batch), `WITH l AS (SELECT pg_advisory_xact_lock_shared($1, hashtext($2))),
		v AS (SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[], $11::bigint[], $12::bigint[])
			WITH ORDINALITY AS v(id, type, doc, user_name, external_id, display_name, group_name, active, modified, version, i)),
		u AS (UPDATE resources r SET doc = v.doc, user_name = v.user_name, external_id = v.external_id, display_name = v.display_name,
				group_name = v.group_name, active = v.active, modified = v.modified, version = v.version
			FROM v WHERE r.tenant_id = $2 AND r.id = v.id AND r.version = v.version - 1
			RETURNING r.id, v.type, v.modified, v.i),
		e AS (INSERT INTO events (tenant_id, resource_type, resource_id, op, time) SELECT $2, u.type, u.id, 'update', u.modified FROM u, l)
		SELECT i FROM u`,
		lockEvents, tenant, a.ids, a.types, a.docs, a.userNames, a.externalIDs, a.displayNames, a.groupNames, a.actives, a.modified, a.versions)
}

// written runs a batch statement of n writes, which returns the 1-based
// positions of those it wrote.
func (p *pgWriter) written(ctx context.Context, n int, query string, args ...any) ([]bool, error) {
	rows, err := p.s.w.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := make([]bool, n)
	for rows.Next() {
		var i int
		if err := rows.Scan(&i); err != nil {
			return nil, err
		}
		if i < 1 || i > n {
			return nil, fmt.Errorf("batch write: position %d of %d", i, n)
		}
		done[i-1] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return done, nil
}
