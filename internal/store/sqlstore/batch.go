package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"
)

// SQLite has one writer. Instead of serializing whole transactions (each
// paying its own commit), one goroutine owns the writer connection and
// commits the writes that queued up meanwhile together ("group commit"):
// every write runs inside its own SAVEPOINT of a shared transaction, a
// failing write is rolled back to its savepoint alone, and every caller
// gets its answer only after the shared COMMIT, so no write is
// acknowledged before it is durable and nothing of a failed write remains.

// maxBatch bounds the writes committed together.
const maxBatch = 64

// errClosed answers writes after Close.
var errClosed = errors.New("store closed")

type writeReq struct {
	ctx  context.Context
	fn   func(tx) error
	err  error
	done chan struct{}
}

type batcher struct {
	s    *Store
	reqs chan *writeReq
	quit chan struct{}
	exit chan struct{}
}

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, reqs: make(chan *writeReq), quit: make(chan struct{}), exit: make(chan struct{})}
	go b.loop()
	return b
}

// do runs fn in the next batch and waits for its commit.
func (b *batcher) do(ctx context.Context, fn func(tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.quit:
		return errClosed
	}
	<-r.done
	return r.err
}

// close stops the loop after the batch in progress.
func (b *batcher) close() {
	close(b.quit)
	<-b.exit
}

func (b *batcher) loop() {
	defer close(b.exit)
	for {
		var first *writeReq
		select {
		case first = <-b.reqs:
		case <-b.quit:
			return
		}
		batch := []*writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		b.run(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// run executes a batch in one transaction and sets each request's error.
func (b *batcher) run(batch []*writeReq) {
	s := b.s
	// The transaction is not bound to any one caller's context: a caller
	// giving up must not interrupt the others' writes.
	sqlTx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range batch {
			r.err = fmt.Errorf("begin: %w", err)
		}
		return
	}
	t := tx{s: s, tx: sqlTx, unprepared: new([]string)}
	ok := 0
	var aborted error
	for _, r := range batch {
		if aborted != nil {
			r.err = aborted
			continue
		}
		r.err, aborted = b.runOne(t, r, len(batch) > 1)
		if r.err == nil {
			ok++
		}
	}
	if ok == 0 || aborted != nil {
		sqlTx.Rollback()
		for _, r := range batch {
			if r.err == nil {
				r.err = aborted
			}
		}
		return
	}
	if err := sqlTx.Commit(); err != nil {
		for _, r := range batch {
			if r.err == nil {
				r.err = fmt.Errorf("commit: %w", err)
			}
		}
		return
	}
	if s.ckpt != nil {
		s.ckpt.committed()
	}
	for _, q := range *t.unprepared {
		s.stmt(context.Background(), true, q)
	}
}

// runOne runs one write, inside a savepoint when it shares the
// transaction. Its statements run without the caller's cancellation (an
// interrupted statement can make SQLite roll back the whole transaction).
// aborted is set when the shared transaction is no longer usable: then
// nothing of the batch may be committed.
func (b *batcher) runOne(t tx, r *writeReq, savepoint bool) (err, aborted error) {
	if err := r.ctx.Err(); err != nil {
		return err, nil
	}
	t.ctx = context.WithoutCancel(r.ctx)
	if !savepoint {
		return b.call(t, r), nil
	}
	if _, err := t.exec(t.ctx, "SAVEPOINT w"); err != nil {
		return fmt.Errorf("savepoint: %w", err), fmt.Errorf("batch aborted: %w", err)
	}
	if err = b.call(t, r); err != nil {
		if _, rbErr := t.exec(t.ctx, "ROLLBACK TO w"); rbErr != nil {
			// The savepoint is gone: SQLite rolled the transaction back.
			return err, fmt.Errorf("batch aborted: %w", rbErr)
		}
	}
	if _, relErr := t.exec(t.ctx, "RELEASE w"); relErr != nil {
		return errors.Join(err, relErr), fmt.Errorf("batch aborted: %w", relErr)
	}
	return err, nil
}

// call runs r.fn. A panic (say, in a Change.Apply) runs on the writer
// goroutine, where no HTTP recovery can catch it: it fails this write only.
func (b *batcher) call(t tx, r *writeReq) (err error) {
	defer func() {
		if p := recover(); p != nil {
			b.s.log.Error("panic in store write", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: panic in store write: %v", p)
		}
	}()
	return r.fn(t)
}

// WAL checkpoints. By default SQLite checkpoints on the committing
// connection once the WAL holds 1000 pages: the single writer then copies
// pages into the database and syncs it while every queued write waits.
// Instead a background goroutine runs a PASSIVE checkpoint on its own
// connection after commits (at most every checkpointInterval), which
// neither blocks the writer nor readers; the writer's own auto-checkpoint
// stays, at writerAutoCheckpoint pages, as a backstop should the
// background one fall behind (say, while a long read pins the WAL).
const (
	checkpointInterval   = 200 * time.Millisecond
	writerAutoCheckpoint = 10000 // pages
)

type checkpointer struct {
	db   *sql.DB
	log  *slog.Logger
	kick chan struct{}
	quit chan struct{}
	exit chan struct{}
}

func newCheckpointer(db *sql.DB, log *slog.Logger) *checkpointer {
	c := &checkpointer{db: db, log: log, kick: make(chan struct{}, 1), quit: make(chan struct{}), exit: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that the WAL grew; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.exit)
	for {
		select {
		case <-c.kick:
		case <-c.quit:
			return
		}
		if _, err := c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			c.log.Warn("sqlite wal checkpoint", "err", err)
		}
		select {
		case <-time.After(checkpointInterval):
		case <-c.quit:
			return
		}
	}
}

// close stops the loop and closes its connection.
func (c *checkpointer) close() error {
	close(c.quit)
	<-c.exit
	return c.db.Close()
}
