package provisioning

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/provisio-dev/provisio/scim/client"
)

// DefaultConcurrency is the most objects applied at once: the
// scim/client's default ceiling of requests in flight. The client's
// throttle adapts the cap below it to the target (starting at
// client.InitialConcurrency; see docs/benchmarks.md, "Issue 15: adaptive
// concurrency"), so the workers beyond the cap wait for a slot.
const DefaultConcurrency = client.DefaultMaxConcurrency

// flushTimeout bounds the writing of the links of a cycle that stopped
// early (say, cancelled): they are written, but a hanging store must not
// hold up a shutdown.
const flushTimeout = 10 * time.Second

// DefaultListThreshold is the number of objects to match above which the
// target is read once instead of queried per object.
const DefaultListThreshold = 50

// Config configures an Engine: one provisioning job, one application.
type Config struct {
	JobID  string
	AppID  string
	Scope  ScopeMode // default ScopeAssigned
	Users  ObjectMapping
	Groups ObjectMapping // Disabled: groups are not provisioned

	Source Source
	Links  LinkStore
	Logs   LogSink
	Target *client.Client // the one gate to the SCIM service
	// Gate decides, batch by batch, whether what a cycle planned is
	// applied; nil: Open, every batch is.
	Gate Gate
	// SkipOutOfScopeDeletions leaves accounts of objects that went out of
	// scope (unassigned, or failing a scoping filter) as they are instead
	// of disabling them (Entra's SkipOutOfScopeDeletions); objects
	// disabled or soft-deleted in the directory are still disabled.
	SkipOutOfScopeDeletions bool

	// Table is the job's links kept between cycles (see LinkTable); a
	// service that builds an Engine per cycle passes the job's. Nil: every
	// cycle reads the links from Links.
	Table *LinkTable
	// Settled carries the skips that need no repeating from one cycle to
	// the next (see Settled); a service that builds an Engine per cycle
	// passes the job's. Nil: the Engine keeps its own.
	Settled *Settled
	// Memory carries what lets an incremental cycle's work follow the
	// change feed (see CycleMemory); it needs Table. Nil: every
	// incremental cycle compares the whole scope with every link.
	Memory *CycleMemory

	// Bulk sends creates and updates in SCIM Bulk requests (RFC 7644
	// §3.7) when the target advertises bulk.supported (bulk.go).
	Bulk bool

	Concurrency   int // most objects in flight; default DefaultConcurrency
	ListThreshold int // default DefaultListThreshold; < 0: always query per object
	Now           func() time.Time
	Logger        *slog.Logger
}

// Engine runs provisioning cycles of one job. Cycles of one Engine must
// not overlap; Run and Plan are not safe to call concurrently.
type Engine struct {
	jobID, appID  string
	mode          ScopeMode
	users, groups *compiledMapping
	src           Source
	links         LinkStore
	logs          LogSink
	target        *target
	gate          Gate
	table         *LinkTable
	settled       *Settled
	memory        *CycleMemory
	// skipOutOfScope is Config.SkipOutOfScopeDeletions.
	skipOutOfScope bool
	bulk           bool       // Config.Bulk
	bulkState      *bulkState // while a cycle runs with bulk (bulk.go)
	concurrency    int
	listThreshold  int
	now            func() time.Time
	log            *slog.Logger
}

// New validates cfg (every problem at once) and returns an Engine.
func New(cfg Config) (*Engine, error) {
	users, groups, errs := compileMappings(cfg.Users, cfg.Groups)
	if cfg.Source == nil || cfg.Links == nil || cfg.Logs == nil || cfg.Target == nil {
		errs = append(errs, errors.New("Source, Links, Logs and Target are required"))
	}
	switch cfg.Scope {
	case "":
		cfg.Scope = ScopeAssigned
	case ScopeAssigned, ScopeAll:
	default:
		errs = append(errs, fmt.Errorf("scope %q: want %q or %q", cfg.Scope, ScopeAssigned, ScopeAll))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("provisioning config: %w", errors.Join(errs...))
	}
	e := &Engine{jobID: cfg.JobID, appID: cfg.AppID, mode: cfg.Scope, users: users, groups: groups,
		src: cfg.Source, links: cfg.Links, logs: cfg.Logs, target: &target{c: cfg.Target}, gate: cfg.Gate, table: cfg.Table, settled: cfg.Settled, memory: cfg.Memory, skipOutOfScope: cfg.SkipOutOfScopeDeletions, bulk: cfg.Bulk,
		concurrency: cfg.Concurrency, listThreshold: cfg.ListThreshold, now: cfg.Now, log: cfg.Logger}
	if e.concurrency <= 0 {
		e.concurrency = DefaultConcurrency
	}
	if e.listThreshold == 0 {
		e.listThreshold = DefaultListThreshold
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.gate == nil {
		e.gate = Open{}
	}
	if e.settled == nil {
		e.settled = &Settled{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e, nil
}

// compileMappings compiles a job's user and group mappings (groups nil
// when Disabled), with every problem of both.
func compileMappings(u, g ObjectMapping) (users, groups *compiledMapping, errs []error) {
	users, err := compileMapping(u)
	if err != nil {
		errs = append(errs, err)
	}
	if !g.Disabled {
		if groups, err = compileMapping(g); err != nil {
			errs = append(errs, err)
		}
	}
	if u.Type != TypeUser || (!g.Disabled && g.Type != TypeGroup) {
		errs = append(errs, errors.New("user and group mappings must have types User and Group"))
	}
	return users, groups, errs
}

// CheckMappings reports every problem New finds in a user and a group
// mapping.
func CheckMappings(users, groups ObjectMapping) error {
	if _, _, errs := compileMappings(users, groups); len(errs) > 0 {
		return fmt.Errorf("provisioning config: %w", errors.Join(errs...))
	}
	return nil
}

// linkTable returns the cycle's view of the links: the job's kept table,
// read from the store if it does not hold them yet, or a fresh one.
func (e *Engine) linkTable(ctx context.Context) (*LinkTable, error) {
	if e.table == nil {
		return loadLinks(ctx, e.links)
	}
	return e.table, e.table.load(ctx, e.links)
}

func (e *Engine) mapping(t ObjectType) *compiledMapping {
	if t == TypeGroup {
		return e.groups
	}
	return e.users
}

// Result reports a completed (or interrupted) cycle.
type Result struct {
	CycleID   string
	Kind      CycleKind
	Watermark int64 // the watermark after the cycle
	Started   time.Time
	Duration  time.Duration
	Stats     Stats
}

// Plan computes what the next cycle would do without writing anything:
// no target writes, no links, no logs, no watermark. It does read the
// target to match unlinked objects. Group members and managers that the
// plan would create appear as "pending:<source id>".
func (e *Engine) Plan(ctx context.Context) (*Plan, error) {
	cyc, err := e.begin(ctx)
	if err != nil {
		return nil, err
	}
	plan := &Plan{CycleID: cyc.id, Kind: cyc.kind, From: cyc.from, To: cyc.head}
	users, err := e.planStage(ctx, cyc, TypeUser, cyc.candidateIDs(TypeUser, nil), cyc.links.resolve)
	if err != nil {
		return nil, err
	}
	plan.add(users)
	if e.groups != nil {
		pending := pendingResolver(cyc.links, users.Actions)
		groups, err := e.planStage(ctx, cyc, TypeGroup, cyc.candidateIDs(TypeGroup, nil), pending)
		if err != nil {
			return nil, err
		}
		plan.add(groups)
	}
	return plan, nil
}

// pendingResolver resolves objects the plan creates to "pending:<id>".
func pendingResolver(lt *LinkTable, actions []*Action) resolver {
	creates := map[string]bool{}
	for _, a := range actions {
		if a.Kind == ActionCreate {
			creates[a.SourceID] = true
		}
	}
	return func(id string) (string, bool) {
		if creates[id] {
			return "pending:" + id, true
		}
		return lt.resolve(id)
	}
}

func (p *Plan) add(q *Plan) {
	p.Actions = append(p.Actions, q.Actions...)
	p.Unchanged += q.Unchanged
}

// Run runs one cycle: users, then groups (members are target ids of
// linked users and groups), then the users whose manager was created in
// this cycle; each stage planned and applied a batch at a time, every
// batch through the Gate first (a CycleGate is asked about the whole
// cycle before that). It advances the watermark only when every stage ran
// to its end and nothing was staged; object failures do not stop it (they
// are retried later), a cancelled ctx, a failing source or link store, or
// a batch the gate held or refused does. A cycle whose disables and
// deletes were staged runs to its end and returns ErrStaged.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	started := e.now()
	e.target.requests.Store(0)
	cyc, err := e.beginCycle(ctx, true)
	if err != nil {
		if e.memory != nil {
			e.memory.Forget()
		}
		return nil, err
	}
	res := &Result{CycleID: cyc.id, Kind: cyc.kind, Watermark: cyc.from, Started: started}
	if cyc.kind == CycleInitial {
		e.settled.reset()
	}
	e.flag(cyc, cyc.keptScope, cyc.kept)
	cyc.settling = true
	if cyc.stage, err = e.checkCycle(ctx, cyc); err == nil {
		stopBulk := e.startBulk()
		err = e.runStages(ctx, cyc)
		stopBulk()
	}
	if err == nil {
		err = ctx.Err()
	}
	if n := cyc.counts.staged.Load(); err == nil && n > 0 {
		// The watermark stays: the next cycle plans the staged actions
		// again, and sends them once the gate lets them through.
		why := cyc.stage
		if why == "" {
			why = "staged batch by batch"
		}
		err = fmt.Errorf("%w (%d not sent): %s", ErrStaged, n, why)
	}
	if err == nil {
		// The watermark moves only past changes whose links are stored.
		if err = cyc.links.flush(ctx, e.links); err == nil {
			err = e.links.SetWatermark(ctx, cyc.head)
		}
		if err == nil {
			res.Watermark = cyc.head
			e.settled.setMembership(cyc.scope.filter.members)
			if e.memory != nil {
				e.settle(cyc)
				e.memory.keep(e, cyc)
			}
		}
	}
	if err != nil {
		if e.memory != nil {
			e.memory.Forget()
		}
		// What was applied is recorded even when the cycle stops early.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
		err = errors.Join(err, cyc.links.flush(fctx, e.links))
		cancel()
	}
	res.Stats = cyc.stats(e.target.requests.Load())
	res.Duration = e.now().Sub(started)
	e.log.LogAttrs(ctx, slog.LevelInfo, "provisioning cycle",
		slog.String("job", e.jobID), slog.String("cycle", cyc.id), slog.String("kind", string(cyc.kind)),
		slog.Any("stats", res.Stats), slog.Duration("duration", res.Duration))
	if err != nil {
		return res, fmt.Errorf("provisioning cycle %s: %w", cyc.id, err)
	}
	return res, nil
}

func (e *Engine) runStages(ctx context.Context, cyc *cycle) error {
	ap := &applier{e: e, cycle: cyc}
	users := &applied{}
	userIDs := cyc.candidateIDs(TypeUser, nil)
	err := e.stage(ctx, cyc, TypeUser, userIDs, cyc.links.resolve, func(p *Plan) error {
		if err := ap.run(ctx, p); err != nil {
			return err
		}
		users.note(p.Actions)
		return nil
	})
	if err != nil {
		return err
	}
	if e.groups != nil && ctx.Err() == nil {
		extra := cyc.groupsTouchedBy(users.touched, users.touchedAll)
		err := e.stage(ctx, cyc, TypeGroup, cyc.candidateIDs(TypeGroup, extra), cyc.links.resolve, func(p *Plan) error {
			return ap.run(ctx, p)
		})
		if err != nil {
			return err
		}
	}
	if refs := cyc.unresolvedAfter(users.created, userIDs); len(refs) > 0 && ctx.Err() == nil {
		return e.stage(ctx, cyc, TypeUser, refs, cyc.links.resolve, func(p *Plan) error { return ap.run(ctx, p) })
	}
	return nil
}

// applied is what later stages need to know of the users a cycle applied.
type applied struct {
	touched    map[string]bool // source ids a create or delete linked or unlinked
	touchedAll bool            // more than touchedMax: touched is nil, any may be
	created    bool
}

func (u *applied) note(actions []*Action) {
	for _, a := range actions {
		if a.Kind != ActionCreate && a.Kind != ActionDelete {
			continue
		}
		u.created = u.created || a.Kind == ActionCreate
		switch {
		case u.touchedAll:
		case len(u.touched) >= touchedMax:
			u.touched, u.touchedAll = nil, true
		default:
			if u.touched == nil {
				u.touched = map[string]bool{}
			}
			u.touched[a.SourceID] = true
		}
	}
}

// Restart makes the next cycle an initial cycle; links are kept (Entra's
// "restart provisioning").
func (e *Engine) Restart(ctx context.Context) error {
	return e.links.ClearWatermark(ctx)
}
