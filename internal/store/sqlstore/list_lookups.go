package sqlstore

import (
	"context"
	"runtime"
	"sync"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// The filter Entra ID and Okta send before every create, and the most
// frequent request of a provisioning cycle, is `userName eq "..."`. On
// PostgreSQL each lookup is a round trip that wakes a backend process, and
// on a few cores those wake-ups and round trips cost more CPU than the
// index lookups. So concurrent lookups are coalesced: per tenant and
// resource type at most one query runs at once, and lookups arriving
// meanwhile queue up and are answered together by one
// `user_name = ANY($3)` query when it returns. Different tenants do not
// wait for each other (the read pool bounds them). A lone lookup runs at
// once, as before. The read of a resource by id that every PATCH makes
// before its compare-and-swap is coalesced the same way (`id = ANY`).

// userNameOnly reports whether the whole filter is `userName eq` (the
// pushed-down condition alone) and returns the lower-cased userName.
func (p plan) userNameOnly(q backend.Query) (string, bool) {
	if !p.exact || p.where != " AND user_name = ?" || len(p.args) != 1 || q.SortBy.Name != "" || q.Members {
		return "", false
	}
	v, ok := p.args[0].(string)
	return v, ok
}

// listByUserName answers a `userName eq` filter through the coalesced
// lookups: at most one resource matches.
func (b resources) listByUserName(ctx context.Context, tenant string, p plan, userName string) (backend.Page, error) {
	r, found, err := b.s.lookups.byUserName(ctx, tenant, p.rt, userName)
	if err != nil {
		return backend.Page{}, wrapErr(err, "list %s", p.rt.Name)
	}
	page := backend.Page{Resources: []scim.Resource{}}
	if p.raw {
		page.Raw = []backend.RawResource{}
	}
	if !found {
		return page, nil
	}
	page.Total = 1
	switch {
	case p.start > 1 || p.count == 0:
	case p.raw:
		page.Raw = append(page.Raw, r.raw())
	default:
		if err := r.decode(); err != nil {
			return backend.Page{}, wrapErr(err, "list %s", p.rt.Name)
		}
		page.Resources = append(page.Resources, r.resource(p.rt))
	}
	return page, nil
}

// maxLookupBatch bounds the userNames of one coalesced query.
const maxLookupBatch = 64

// lookupKey is what a coalesced query shares; column is "user_name" or
// "id".
type lookupKey struct{ tenant, rtype, column string }

// lookup is one queued lookup; r.body is "" when nothing matched.
type lookup struct {
	value string // as stored in the key's column (user_name: lower-cased)
	r     row    // undecoded
	err   error
	done  chan struct{}
}

// lookups coalesces userName lookups (PostgreSQL only).
type lookups struct {
	s *Store

	mu     sync.Mutex
	queues map[lookupKey][]*lookup // a key is present while a query for it runs
}

// byID returns the row of the resource of type rt with id, its document
// undecoded; found is false if there is none.
func (l *lookups) byID(ctx context.Context, tenant string, rt *scim.ResourceType, id string) (r row, found bool, err error) {
	return l.get(ctx, lookupKey{tenant, rt.Name, "id"}, id)
}

// byUserName returns the row of the resource of type rtype whose
// lower-cased userName is userName, its document undecoded; found is false
// if there is none.
func (l *lookups) byUserName(ctx context.Context, tenant string, rt *scim.ResourceType, userName string) (r row, found bool, err error) {
	return l.get(ctx, lookupKey{tenant, rt.Name, "user_name"}, userName)
}

// get returns the row whose key.column is value, queued with the other
// lookups of key.
func (l *lookups) get(ctx context.Context, key lookupKey, value string) (r row, found bool, err error) {
	me := &lookup{value: value, done: make(chan struct{})}
	l.mu.Lock()
	q, busy := l.queues[key]
	l.queues[key] = append(q, me)
	l.mu.Unlock()
	if busy {
		select {
		case <-me.done:
		case <-ctx.Done():
			return row{}, false, ctx.Err()
		}
	} else {
		// Lead: let lookups that arrived together join the first batch,
		// answer them, and hand what queued up meanwhile to a goroutine
		// so that this request answers at once.
		runtime.Gosched()
		l.serve(context.WithoutCancel(ctx), key, true)
	}
	if me.err != nil || me.r.body == "" {
		return row{}, false, me.err
	}
	return me.r, true, nil
}

// serve answers key's queue one batch at a time until it is empty; with
// once it answers one batch and leaves the rest to a new goroutine. The
// queries answer many requests, so they run without any one's
// cancellation.
func (l *lookups) serve(ctx context.Context, key lookupKey, once bool) {
	for {
		l.mu.Lock()
		q := l.queues[key]
		if len(q) == 0 {
			delete(l.queues, key)
			l.mu.Unlock()
			return
		}
		n := min(len(q), maxLookupBatch)
		batch := q[:n:n]
		l.queues[key] = q[n:]
		l.mu.Unlock()
		l.run(ctx, key, batch)
		if once {
			l.mu.Lock()
			idle := len(l.queues[key]) == 0
			if idle {
				delete(l.queues, key)
			}
			l.mu.Unlock()
			if !idle {
				l.s.bg.Go(func() { l.serve(ctx, key, false) })
			}
			return
		}
	}
}

// run answers a batch with one query and wakes its callers.
func (l *lookups) run(ctx context.Context, key lookupKey, batch []*lookup) {
	defer func() {
		for _, x := range batch {
			close(x.done)
		}
	}()
	values := make([]string, len(batch))
	for i, x := range batch {
		values[i] = x.value
	}
	var err error
	defer func() {
		if err != nil {
			for _, x := range batch {
				x.err = err
			}
		}
	}()
	rows, err := l.s.query(ctx, "SELECT "+key.column+", id, doc, created, modified, version FROM resources WHERE tenant_id = ? AND type = ? AND "+key.column+" = ANY(?)",
		key.tenant, key.rtype, values)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var value string
		var r row
		if err = rows.Scan(&value, &r.id, &r.body, &r.created, &r.modified, &r.version); err != nil {
			return
		}
		for _, x := range batch {
			if x.value == value {
				x.r = r
			}
		}
	}
	err = rows.Err()
}

// readCurrent reads one resource as readRow does, through the coalesced
// lookups on PostgreSQL.
func readCurrent(ctx context.Context, s *Store, tenant string, rt *scim.ResourceType, id string) (row, error) {
	if s.lookups == nil {
		return readRow(ctx, s, tenant, rt, id, "")
	}
	r, found, err := s.lookups.byID(ctx, tenant, rt, id)
	if err != nil {
		return row{}, err
	}
	if !found {
		return row{}, notFoundError(rt, id)
	}
	if err := r.decode(); err != nil {
		return row{}, err
	}
	return r, nil
}
