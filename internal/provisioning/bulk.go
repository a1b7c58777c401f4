package provisioning

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// SCIM Bulk (RFC 7644 §3.7) as an alternative send path: with
// Config.Bulk on and a target whose /ServiceProviderConfig advertises
// bulk.supported, a cycle's creates and updates (POST and PATCH) are
// gathered from the objects being applied at once into Bulk requests
// within the advertised maxOperations and maxPayloadSize. Each operation's
// result is handed back to its object as the single request's answer
// would have been (client.BulkResult), so links, logs, escrows, retries
// and matching on 409 work as they do without Bulk. What a Bulk request
// cannot carry goes as a single request: an operation bigger than
// maxPayloadSize alone, PATCHes the client's quirks must split, the
// operations of a Bulk request the target refuses as a whole with 404,
// 405, 413 or 501, and operations answered 429 or 503 (or, for a PATCH,
// 500, 502 or 504), which the single request retries under RetryPolicy.
// A Bulk request whose answer is lost fails each of its operations as a
// lost answer (client.MayHaveApplied): a create then looks for its object
// before it is sent again (applier.send).

// Bounds of the Bulk send path.
const (
	// maxBulkOps caps the operations of one Bulk request whatever the
	// target advertises (a target advertising none gets defaultBulkOps).
	maxBulkOps     = 1000
	defaultBulkOps = 100
	// defaultBulkBytes is the payload cap for a target that advertises
	// none.
	defaultBulkBytes = 1 << 20
	// bulkInFlight is the Bulk requests in flight at once; the objects
	// applied at once are that many requests' worth.
	bulkInFlight = 2
	// A Bulk request is sent once bulkIdle passes without a new
	// operation, bulkLinger after its first, or when it is full.
	bulkIdle   = 2 * time.Millisecond
	bulkLinger = 20 * time.Millisecond
	// bulkEnvelope and bulkOpOverhead over-estimate the bytes of a
	// request body besides its operations, and of an operation besides
	// its method, path, bulkId and data.
	bulkEnvelope   = 128
	bulkOpOverhead = 96
)

// errBulkSingle tells a caller to send its operation as a single request.
var errBulkSingle = errors.New("send as a single request")

// errNoBulkResult: the Bulk response held no result for an operation. It
// may have been applied: a client.Error whose cause is transient counts
// as a lost answer (client.MayHaveApplied).
var errNoBulkResult = errors.New("the bulk response has no result for this operation")

type bulker struct {
	c        *client.Client
	requests *atomic.Int64
	maxOps   int
	maxBytes int
	in       chan *bulkItem
	quit     chan struct{}
	loopDone chan struct{}
	inFlight chan struct{}
	sends    sync.WaitGroup
	seq      atomic.Int64
	log      *slog.Logger
	ctx      context.Context // the cycle's: Bulk requests end with it
}

type bulkItem struct {
	op   scim.BulkOperation
	size int
	res  scim.Resource
	err  error
	done chan struct{}
}

// startBulk arms the cycle's Bulk send path (Config.Bulk): the first
// batch with a create or an update (useBulk) reads the target's
// /ServiceProviderConfig and, if it supports Bulk, routes the target's
// creates and updates through Bulk requests until the returned stop is
// called (after the cycle's last object). A cycle with nothing to send
// sends no request for it. Without Bulk (off, unsupported, or discovery
// failing) the cycle sends single requests.
func (e *Engine) startBulk() (stop func()) {
	if !e.bulk {
		return func() {}
	}
	st := &bulkState{}
	e.bulkState = st
	return func() {
		e.bulkState = nil
		if b := e.target.bulk; b != nil {
			e.target.bulk = nil
			b.close()
		}
	}
}

// bulkState is a cycle's Bulk send path before and after discovery.
type bulkState struct{ tried bool }

// useBulk starts the Bulk send path before the first batch that has a
// create or an update to send (see startBulk). Batches are applied one
// after the other, so it runs with no object in flight.
func (e *Engine) useBulk(ctx context.Context, actions []*Action) {
	st := e.bulkState
	if st == nil || st.tried {
		return
	}
	wants := false
	for _, a := range actions {
		if a.Kind == ActionCreate || a.Kind == ActionUpdate || a.Kind == ActionDisable {
			wants = true
			break
		}
	}
	if !wants {
		return
	}
	st.tried = true
	e.target.requests.Add(1)
	spc, err := e.target.c.ServiceProviderConfig(ctx)
	if err != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "provisioning: read /ServiceProviderConfig for Bulk; sending single requests",
			slog.String("job", e.jobID), slog.String("error", err.Error()))
		return
	}
	if !spc.Bulk.Supported {
		e.log.LogAttrs(ctx, slog.LevelInfo, "provisioning: the application does not support Bulk; sending single requests",
			slog.String("job", e.jobID))
		return
	}
	e.target.bulk = newBulker(ctx, e.target.c, &e.target.requests, spc.Bulk.MaxOperations, spc.Bulk.MaxPayloadSize, e.log)
}

func newBulker(ctx context.Context, c *client.Client, requests *atomic.Int64, maxOps, maxBytes int, log *slog.Logger) *bulker {
	if maxOps <= 0 {
		maxOps = defaultBulkOps
	}
	if maxBytes <= 0 {
		maxBytes = defaultBulkBytes
	}
	b := &bulker{c: c, requests: requests, maxOps: min(maxOps, maxBulkOps), maxBytes: maxBytes,
		in: make(chan *bulkItem), quit: make(chan struct{}), loopDone: make(chan struct{}),
		inFlight: make(chan struct{}, bulkInFlight), log: log, ctx: ctx}
	go b.loop()
	return b
}

// workers is how many objects to apply at once to keep the Bulk requests
// full.
func (b *bulker) workers() int { return b.maxOps * bulkInFlight }

// close sends what is gathered and waits for every Bulk request. Call it
// once no caller is left.
func (b *bulker) close() {
	close(b.quit)
	<-b.loopDone
	b.sends.Wait()
}

// create POSTs res through a Bulk request; sent false: send it alone.
func (b *bulker) create(ctx context.Context, endpoint string, res scim.Resource) (_ scim.Resource, sent bool, _ error) {
	op, err := b.c.BulkCreate(endpoint, "p"+strconv.FormatInt(b.seq.Add(1), 36), res)
	if err != nil {
		return nil, false, nil
	}
	return b.do(ctx, op)
}

// patch PATCHes a resource through a Bulk request; sent false: send it
// alone.
func (b *bulker) patch(ctx context.Context, endpoint, id string, ops []scim.PatchOperation) (sent bool, _ error) {
	op, err := b.c.BulkPatch(endpoint, id, ops)
	if err != nil {
		return false, nil
	}
	_, sent, err = b.do(ctx, op)
	return sent, err
}

// do sends op in the next Bulk request and returns its result; sent
// false: the caller sends it as a single request.
func (b *bulker) do(ctx context.Context, op scim.BulkOperation) (scim.Resource, bool, error) {
	it := &bulkItem{op: op, size: len(op.Method) + len(op.Path) + len(op.BulkID) + len(op.Data) + bulkOpOverhead, done: make(chan struct{})}
	if it.size+bulkEnvelope > b.maxBytes {
		return nil, false, nil
	}
	select {
	case b.in <- it:
	case <-ctx.Done():
		return nil, true, ctx.Err()
	case <-b.quit:
		return nil, false, nil
	}
	<-it.done
	if errors.Is(it.err, errBulkSingle) {
		return nil, false, nil
	}
	return it.res, true, it.err
}

// loop gathers operations into Bulk requests and sends them, at most
// bulkInFlight at once.
func (b *bulker) loop() {
	defer close(b.loopDone)
	var carry *bulkItem
	for {
		first := carry
		carry = nil
		if first == nil {
			select {
			case first = <-b.in:
			case <-b.quit:
				return
			}
		}
		batch, size := []*bulkItem{first}, bulkEnvelope+first.size
		deadline := time.Now().Add(bulkLinger)
		idle := time.NewTimer(bulkIdle)
	gather:
		for len(batch) < b.maxOps {
			select {
			case it := <-b.in:
				if size+it.size > b.maxBytes {
					carry = it
					break gather
				}
				batch, size = append(batch, it), size+it.size
				if time.Until(deadline) <= 0 {
					break gather
				}
				idle.Reset(min(bulkIdle, time.Until(deadline)))
			case <-idle.C:
				break gather
			case <-b.quit:
				break gather
			}
		}
		idle.Stop()
		b.inFlight <- struct{}{}
		b.sends.Add(1)
		go func() {
			defer func() { <-b.inFlight; b.sends.Done() }()
			b.send(batch)
		}()
		if carry != nil {
			select {
			case <-b.quit:
				// No caller is left to add to it: send it on its own.
				b.inFlight <- struct{}{}
				b.sends.Add(1)
				last := carry
				go func() {
					defer func() { <-b.inFlight; b.sends.Done() }()
					b.send([]*bulkItem{last})
				}()
				return
			default:
			}
		}
	}
}

// send sends one Bulk request and hands each operation its result.
func (b *bulker) send(batch []*bulkItem) {
	defer func() {
		for _, it := range batch {
			close(it.done)
		}
	}()
	req := scim.BulkRequest{Schemas: []string{scim.BulkRequestMessage}, Operations: make([]scim.BulkOperation, len(batch))}
	for i, it := range batch {
		req.Operations[i] = it.op
	}
	b.requests.Add(1)
	resp, err := b.c.Bulk(b.ctx, req)
	if err != nil {
		var ce *client.Error
		if errors.As(err, &ce) {
			switch ce.StatusCode {
			case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusRequestEntityTooLarge, http.StatusNotImplemented:
				err = errBulkSingle
			}
		}
		for _, it := range batch {
			it.err = err
		}
		return
	}
	results := matchBulk(req.Operations, resp.Operations)
	for i, it := range batch {
		got, ok := results[i]
		if !ok {
			it.err = &client.Error{Method: it.op.Method, URL: it.op.Path, Attempts: 1, Err: errNoBulkResult}
			continue
		}
		it.res, it.err = b.c.BulkResult(it.op, got)
		if single(it.op.Method, it.err) {
			it.res, it.err = nil, errBulkSingle
		}
	}
}

// single reports a failed operation the single request (which waits out
// Retry-After and backs off under RetryPolicy) should try again: 429 and
// 503, and 500, 502, 504 for a PATCH, safe to apply twice. A POST that
// may have been applied is looked for before it is sent again
// (applier.send).
func single(method string, err error) bool {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return method == http.MethodPatch
	}
	return false
}

// matchBulk pairs the operations sent with those answered: by position
// when the answer has them all in order, else POSTs by bulkId and the
// others by method and location (which ends with the path sent).
func matchBulk(sent, got []scim.BulkOperation) map[int]scim.BulkOperation {
	out := make(map[int]scim.BulkOperation, len(sent))
	if len(got) == len(sent) {
		inOrder := true
		for i := range sent {
			if !sameOp(sent[i], got[i]) {
				inOrder = false
				break
			}
		}
		if inOrder {
			for i := range sent {
				out[i] = got[i]
			}
			return out
		}
	}
	byID := map[string]int{}
	byPath := map[string]int{}
	for i, op := range sent {
		if op.BulkID != "" {
			byID[op.BulkID] = i
		} else {
			byPath[op.Method+" "+op.Path] = i
		}
	}
	for _, g := range got {
		if i, ok := byID[g.BulkID]; ok && g.BulkID != "" {
			out[i] = g
			continue
		}
		for key, i := range byPath {
			if s := sent[i]; sameMethod(s.Method, g.Method) && hasSuffix(g.Location, s.Path) {
				out[i] = g
				delete(byPath, key)
				break
			}
		}
	}
	return out
}

func sameOp(s, g scim.BulkOperation) bool {
	if !sameMethod(s.Method, g.Method) {
		return false
	}
	if s.BulkID != "" || g.BulkID != "" {
		return s.BulkID == g.BulkID
	}
	return g.Location == "" || hasSuffix(g.Location, s.Path)
}

func sameMethod(a, b string) bool { return b == "" || strings.EqualFold(a, b) }

func hasSuffix(loc, path string) bool { return strings.HasSuffix(loc, path) }
