package provisioning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// RetryPolicy is the scim/client retry policy a job's target client
// should have (the job service gives it to every job's client): within a
// cycle, each request is tried up to 5 times within 2 minutes; 429 and
// 503 wait out Retry-After (up to a minute; a longer one fails the
// object), connection errors, timeouts and 5xx back off from 1 s,
// doubling up to 30 s, with jitter. PATCH is retried too: the engine's
// operations (replace, remove, add of members) are safe to apply twice.
// A POST whose answer was lost is not resent blindly: see applier.send.
// What still fails becomes an escrow, retried by later cycles
// (retryDelay).
var RetryPolicy = client.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: 30 * time.Second,
	MaxRetryAfter: time.Minute, MaxElapsed: 2 * time.Minute, RetryPatch: true}

// Bounds on the POSTs of one create whose answers are lost (see send).
const (
	createAttempts = 5
	createBudget   = 2 * time.Minute
	createPause    = 250 * time.Millisecond // before the second POST, doubling
)

// Stats counts what a cycle did.
type Stats struct {
	Created   int64 `json:"created"`
	Updated   int64 `json:"updated"`
	Disabled  int64 `json:"disabled"`
	Deleted   int64 `json:"deleted"`
	Skipped   int64 `json:"skipped"`
	Unchanged int64 `json:"unchanged"`
	// Matched counts the objects linked to an existing target object
	// found by their matching attributes (a create pending after a
	// restart, a create whose answer was lost): counted here, not as
	// skipped or created; one that needed an update is counted as updated
	// too.
	Matched int64 `json:"matched"`
	Failed  int64 `json:"failed"`
	// Staged counts the disables and deletes a gate staged: logged, not
	// sent (see Stage).
	Staged   int64 `json:"staged,omitempty"`
	Requests int64 `json:"requests"` // requests sent to the target, listing and matching included
}

type counters struct {
	created, updated, disabled, deleted, skipped, matched, failed, staged atomic.Int64
}

// applier runs the actions of one stage with bounded concurrency. A
// failing object is recorded on its link (attempts, next retry, last
// error) and in the log; it never stops the stage.
type applier struct {
	e     *Engine
	cycle *cycle
	// logged, if set, is told of every log entry written (provision on
	// demand shows its entry).
	logged func(LogEntry)
}

// run applies a planned batch once the gate lets it through, without the
// disables and deletes it (or the cycle's gate) staged.
func (ap *applier) run(ctx context.Context, batch *Plan) error {
	stage, err := ap.e.check(ctx, batch)
	if err != nil {
		return err
	}
	if stage == "" {
		stage = ap.cycle.stage
	}
	if stage != "" {
		batch.Actions = ap.stage(ctx, batch.Actions, stage)
	}
	actions := batch.Actions
	if err := ap.pending(ctx, actions); err != nil {
		ap.e.log.LogAttrs(ctx, slog.LevelWarn, "provisioning: record pending creates; recording them one by one",
			slog.String("error", err.Error()))
	}
	ap.e.useBulk(ctx, actions)
	n := ap.e.concurrency
	if b := ap.e.target.bulk; b != nil {
		n = max(n, b.workers()) // enough objects at once to fill Bulk requests
	}
	parallel(ctx, n, actions, func(a *Action) { ap.exec(ctx, a) })
	return nil
}

// stage logs the disables and deletes among actions as staged, sends
// none of them and returns the other actions. A staged object settles
// nothing (see Settled): the next cycle evaluates it again.
func (ap *applier) stage(ctx context.Context, actions []*Action, why string) []*Action {
	rest := actions[:0:0]
	for _, a := range actions {
		if !a.deprovisions() {
			rest = append(rest, a)
			continue
		}
		a.staged = true
		reason := why
		if a.Reason != "" {
			reason += " (" + a.Reason + ")"
		}
		a.Reason = reason
		ap.cycle.counts.staged.Add(1)
		ap.cycle.settled.set(a.Type, a.SourceID, false, ap.cycle.scope.assigned(a.Type, a.SourceID))
		ap.log(ctx, a, nil, 0)
	}
	return rest
}

// pending records the creates among actions as pending in one write
// before any is sent, so that after a crash the next cycle matches them on
// the target instead of creating them twice; one commit per chunk instead
// of one per object.
func (ap *applier) pending(ctx context.Context, actions []*Action) error {
	var links []Link
	var creates []*Action
	now := ap.e.now()
	for _, a := range actions {
		if a.Kind != ActionCreate || a.err != nil || (a.link != nil && a.link.State == LinkPendingCreate) {
			continue
		}
		links = append(links, pendingLink(a, now))
		creates = append(creates, a)
	}
	if len(links) == 0 {
		return nil
	}
	if err := ap.cycle.links.write(ctx, ap.e.links, links); err != nil {
		return err
	}
	for i, a := range creates {
		a.link = &links[i]
	}
	return nil
}

// pendingLink is a's link while its create is pending, keeping the
// failures of earlier attempts.
func pendingLink(a *Action, now time.Time) Link {
	l := Link{Type: a.Type, SourceID: a.SourceID, State: LinkPendingCreate, Updated: now}
	if a.link != nil {
		l.Attempts, l.NextRetry, l.LastError = a.link.Attempts, a.link.NextRetry, a.link.LastError
		l.FailedAction, l.SourceName = a.link.FailedAction, a.link.SourceName
	}
	return l
}

// parallel calls fn for every item with at most n running at once; it
// stops starting new calls once ctx ends.
func parallel[T any](ctx context.Context, n int, items []T, fn func(T)) {
	var wg sync.WaitGroup
	work := make(chan T)
	for range min(n, len(items)) {
		wg.Go(func() {
			for it := range work {
				fn(it)
			}
		})
	}
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		work <- it
	}
	close(work)
	wg.Wait()
}

func (ap *applier) exec(ctx context.Context, a *Action) {
	start := time.Now()
	var err error
	switch a.Kind {
	case ActionSkip:
		err = ap.skip(ctx, a)
	case ActionCreate:
		err = ap.create(ctx, a)
	case ActionUpdate, ActionDisable:
		err = ap.patch(ctx, a)
	case ActionDelete:
		err = ap.delete(ctx, a)
	}
	if err != nil && ctx.Err() != nil {
		return // the cycle was cancelled: not the object's fault, and not its failure
	}
	if err != nil {
		ap.fail(ctx, a, err)
	} else {
		ap.count(a)
	}
	if !a.quiet || err != nil {
		ap.log(ctx, a, err, time.Since(start))
	}
}

func (ap *applier) count(a *Action) {
	c := &ap.cycle.counts
	if a.matched {
		c.matched.Add(1)
	}
	switch {
	case a.matched && a.Kind != ActionUpdate:
		// a match in sync, or a create found on the target: matched only
	case a.Kind == ActionCreate:
		c.created.Add(1)
	case a.Kind == ActionUpdate:
		c.updated.Add(1)
	case a.Kind == ActionDisable:
		c.disabled.Add(1)
	case a.Kind == ActionDelete:
		c.deleted.Add(1)
	case a.Kind == ActionSkip:
		if !a.quiet {
			c.skipped.Add(1)
		}
	}
}

func (ap *applier) skip(ctx context.Context, a *Action) error {
	switch {
	case a.err != nil:
		return a.err
	case a.dropLink:
		return ap.dropLink(ctx, a.Type, a.SourceID)
	case a.keepLink:
		return ap.putLink(ctx, a.next)
	}
	return nil
}

// create records a pending create first, so that after a crash the next
// cycle matches the object on the target instead of creating it twice.
func (ap *applier) create(ctx context.Context, a *Action) error {
	m := ap.e.mapping(a.Type)
	if a.link == nil || a.link.State != LinkPendingCreate {
		pending := pendingLink(a, ap.e.now())
		if err := ap.putLink(ctx, pending); err != nil {
			return err
		}
		a.link = &pending
	}
	res, err := ap.send(ctx, m, a)
	if err != nil {
		return err
	}
	id, err := targetID(res)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	a.TargetID, a.next.TargetID = id, id
	if a.matched && len(a.rest) == 0 {
		// Found, not created by this answer: what it holds is the "old"
		// side of the next update, which corrects what differs.
		a.next.Written = m.targetValues(res)
		a.next.Hash = hashValues(a.next.Written)
	}
	if len(a.rest) > 0 {
		// What the create wrote, so that a failure adding the rest is
		// retried as an update of the linked object.
		sent := a.next
		sent.Written, sent.Hash = a.sent, hashValues(a.sent)
		if err := ap.putLink(ctx, sent); err != nil {
			return err
		}
		for o := range restOps(a.rest) {
			if err := ap.e.target.patch(ctx, m.Endpoint, id, []scim.PatchOperation{o}); err != nil {
				return err
			}
		}
	}
	return ap.putLink(ctx, a.next)
}

// send POSTs a's resource. When the answer is lost (the connection
// dropped after sending, a timeout, 500/502/504: client.MayHaveApplied)
// or the target answers 409, the object may exist already: send looks it
// up by its matching attributes (GET ?filter=<attr> eq "<value>") and
// takes what it finds as the create's answer (a.matched), and sends the
// POST again only when nothing is there. So a create is never sent twice
// to a target that has it; at most createAttempts POSTs within
// createBudget, pausing with backoff and jitter between them.
func (ap *applier) send(ctx context.Context, m *compiledMapping, a *Action) (scim.Resource, error) {
	began := time.Now()
	for n := 1; ; n++ {
		res, err := ap.e.target.create(ctx, m.Endpoint, a.Resource)
		if err == nil {
			return res, nil
		}
		lost := client.MayHaveApplied(err)
		if !lost && !client.IsConflict(err) || len(a.match) == 0 {
			return nil, err
		}
		mt := &matcher{t: ap.e.target, m: m}
		found, detail, ferr := mt.find(ctx, a.match)
		if ferr != nil {
			return nil, fmt.Errorf("look for the object after a failed create: %w", errors.Join(err, ferr))
		}
		if found != nil {
			if id, _ := found["id"].(string); id != "" {
				if owner, taken := ap.cycle.links.owner(a.Type, id); taken && owner != a.SourceID {
					return nil, fmt.Errorf("%w; the matching target object %s is linked to source object %s", err, id, owner)
				}
			}
			a.matched = true
			a.Steps = append(a.Steps, Step{Name: StepMatch, Status: StatusSuccess,
				Detail: "the create failed (" + errorCode(err) + "); " + detail})
			return found, nil
		}
		if !lost || n >= createAttempts || time.Since(began) > createBudget {
			return nil, err
		}
		if err := pause(ctx, n); err != nil {
			return nil, err
		}
	}
}

// pause waits before the POST after the n-th: createPause doubling, with
// equal jitter.
func pause(ctx context.Context, n int) error {
	d := createPause << min(n-1, 5)
	t := time.NewTimer(d/2 + rand.N(d/2+1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (ap *applier) patch(ctx context.Context, a *Action) error {
	if err := ap.sendOps(ctx, a.Type, a.TargetID, a.Ops); err != nil {
		return err
	}
	return ap.putLink(ctx, a.next)
}

// sendOps sends ops in as few PATCH requests as keep each to at most one
// operation on a reference list (up to MaxMembersPerOp ids): the first
// request carries every other operation. Re-sending an "add" of members
// already added changes nothing (RFC 7644 §3.5.2.1), so a failed request
// is safely retried with the whole diff.
func (ap *applier) sendOps(ctx context.Context, t ObjectType, id string, ops []scim.PatchOperation) error {
	m := ap.e.mapping(t)
	for _, req := range m.requests(ops) {
		if err := ap.e.target.patch(ctx, m.Endpoint, id, req); err != nil {
			return err
		}
	}
	return nil
}

func (ap *applier) delete(ctx context.Context, a *Action) error {
	if err := ap.e.target.delete(ctx, ap.e.mapping(a.Type).Endpoint, a.TargetID); err != nil {
		return err
	}
	return ap.dropLink(ctx, a.Type, a.SourceID)
}

func (ap *applier) putLink(ctx context.Context, l Link) error {
	l.Updated = ap.e.now()
	if err := ap.cycle.links.save(ctx, ap.e.links, l); err != nil {
		return fmt.Errorf("store link: %w", err)
	}
	return nil
}

func (ap *applier) dropLink(ctx context.Context, t ObjectType, id string) error {
	if err := ap.cycle.links.drop(ctx, ap.e.links, t, id); err != nil {
		return fmt.Errorf("delete link: %w", err)
	}
	return nil
}

// fail records a failure on the object's link, keeping what was last
// written so the next attempt computes the same change again.
func (ap *applier) fail(ctx context.Context, a *Action, cause error) {
	ap.cycle.counts.failed.Add(1)
	l := Link{Type: a.Type, SourceID: a.SourceID, State: LinkPendingCreate}
	if cur, ok := ap.cycle.links.get(a.Type, a.SourceID); ok {
		l = cur // the table holds no Written: take it from what it was
		switch {
		case a.link != nil && cur.Hash == a.link.Hash:
			l.Written = a.link.Written
		case a.sent != nil && cur.Hash == hashValues(a.sent):
			l.Written = a.sent
		}
	}
	l.Attempts++
	l.NextRetry = ap.e.now().Add(max(retryDelay(l.Attempts), retryAfter(cause)))
	l.LastError = errorText(cause)
	l.FailedAction, l.SourceName = a.Kind, a.SourceName
	if a.Kind == ActionSkip && a.failing != "" {
		l.FailedAction = a.failing
	}
	if err := ap.putLink(ctx, l); err != nil {
		ap.e.log.LogAttrs(ctx, slog.LevelError, "provisioning: record failure",
			slog.String("sourceId", a.SourceID), slog.String("error", err.Error()))
	}
}

func (ap *applier) log(ctx context.Context, a *Action, err error, d time.Duration) {
	entry := LogEntry{
		Time: ap.e.now(), JobID: ap.e.jobID, CycleID: ap.cycle.id, ChangeID: uuid.NewString(),
		ObjectType: a.Type, SourceID: a.SourceID, SourceName: a.SourceName, TargetID: a.TargetID,
		Action: a.Kind, Status: StatusSuccess, Steps: a.Steps, Modified: a.Modified, Reason: a.Reason, Duration: d,
		Matched: a.matched && err == nil,
	}
	step := Step{Name: StepAction, Status: StatusSuccess, Detail: string(a.Kind)}
	switch {
	case err != nil:
		entry.Status, entry.ErrorCode, entry.Reason = StatusFailure, errorCode(err), errorText(err)
		step.Status, step.Detail = StatusFailure, entry.Reason
	case a.staged:
		entry.Status, step.Status, step.Detail = StatusStaged, StatusStaged, a.Reason
	case a.warn:
		entry.Status, step.Status, step.Detail = StatusWarning, StatusWarning, a.Reason
	case a.Kind == ActionSkip:
		entry.Status, step.Status, step.Detail = StatusSkipped, StatusSkipped, a.Reason
	}
	entry.Steps = append(entry.Steps, step)
	if ap.logged != nil {
		ap.logged(entry)
	}
	if lerr := ap.e.logs.Append(ctx, entry); lerr != nil {
		ap.e.log.LogAttrs(ctx, slog.LevelError, "provisioning: write log entry",
			slog.String("sourceId", a.SourceID), slog.String("error", lerr.Error()))
	}
}

// retryAfter is the Retry-After of a 429 or 503 too long to wait out
// within the cycle (see RetryPolicy): the escrow waits at least as long.
func retryAfter(err error) time.Duration {
	var ce *client.Error
	if errors.As(err, &ce) {
		return min(ce.RetryAfter, maxRetryDelay)
	}
	return 0
}

// maxRetryDelay caps the wait of an escrow between cycles.
const maxRetryDelay = time.Hour

// retryDelay is the wait of an escrow after the n-th consecutive failure
// (the failures within a cycle being retried already, see RetryPolicy):
// 1, 2, 4 ... minutes, capped at an hour. Entra's escrows wait 6 h before
// the first retry, then 12 h, then daily; a cycle of seconds can afford
// to try much sooner, and an hour bounds how long a fixed target waits.
func retryDelay(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}
