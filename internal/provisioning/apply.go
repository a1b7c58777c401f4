package provisioning

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/scim"
)

// Stats counts what a cycle did.
type Stats struct {
	Created   int64 `json:"created"`
	Updated   int64 `json:"updated"`
	Disabled  int64 `json:"disabled"`
	Deleted   int64 `json:"deleted"`
	Skipped   int64 `json:"skipped"`
	Unchanged int64 `json:"unchanged"`
	Failed    int64 `json:"failed"`
	// Staged counts the disables and deletes a gate staged: logged, not
	// sent (see Stage).
	Staged   int64 `json:"staged,omitempty"`
	Requests int64 `json:"requests"` // requests sent to the target, listing and matching included
}

type counters struct {
	created, updated, disabled, deleted, skipped, failed, staged atomic.Int64
}

// applier runs the actions of one stage with bounded concurrency. A
// failing object is recorded on its link (attempts, next retry, last
// error) and in the log; it never stops the stage.
type applier struct {
	e     *Engine
	cycle *cycle
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
	parallel(ctx, ap.e.concurrency, actions, func(a *Action) { ap.exec(ctx, a) })
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
		if a.Reason != "" {
			why += " (" + a.Reason + ")"
		}
		a.Reason = why
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
	switch a.Kind {
	case ActionCreate:
		c.created.Add(1)
	case ActionUpdate:
		c.updated.Add(1)
	case ActionDisable:
		c.disabled.Add(1)
	case ActionDelete:
		c.deleted.Add(1)
	case ActionSkip:
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
	res, err := ap.e.target.create(ctx, m.Endpoint, a.Resource)
	if err != nil {
		return err
	}
	id, err := targetID(res)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	a.TargetID, a.next.TargetID = id, id
	if len(a.rest) > 0 {
		// What the create wrote, so that a failure adding the rest is
		// retried as an update of the linked object.
		sent := a.next
		sent.Written, sent.Hash = a.sent, hashValues(a.sent)
		if err := ap.putLink(ctx, sent); err != nil {
			return err
		}
		if err := ap.sendOps(ctx, a.Type, id, a.rest); err != nil {
			return err
		}
	}
	return ap.putLink(ctx, a.next)
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
	l.NextRetry = ap.e.now().Add(retryDelay(l.Attempts))
	l.LastError = errorText(cause)
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
	if lerr := ap.e.logs.Append(ctx, entry); lerr != nil {
		ap.e.log.LogAttrs(ctx, slog.LevelError, "provisioning: write log entry",
			slog.String("sourceId", a.SourceID), slog.String("error", lerr.Error()))
	}
}

// retryDelay is the wait after the n-th consecutive failure: 1, 2, 4 ...
// minutes, capped at 6 hours (Entra's escrows wait 6 h before the first
// retry; a fixed seconds-scale cycle can afford to try sooner).
func retryDelay(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < 6*time.Hour; i++ {
		d *= 2
	}
	return min(d, 6*time.Hour)
}
