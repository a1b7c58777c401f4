// Package jobs owns provisioning jobs, one per application, in three
// parts:
//
//   - settings ([Job], [Config]; settings.go): Tenant URL, Secret Token
//     encrypted at rest with internal/secretbox, or OAuth 2.0 client
//     credentials (auth.go, package credentials: the client secret sealed
//     alike, the access token cached per job across cycles and refreshed
//     by golang.org/x/oauth2), provisioning on/off,
//     scope, cycle interval, notification email, attribute mappings
//     (package mapping's form), SkipOutOfScopeDeletions (passed to the
//     engine), the application's discovered schema, a webhook (URL,
//     HMAC secret encrypted like the token; [Service.Webhook] gives it to
//     internal/notify, webhook.go), the rate limit and concurrency
//     (limits.go: one client.Throttle per job, kept between its cycles,
//     adapting to the application's 429 and 503 by AIMD);
//   - the runner (run.go, scheduler.go, observe.go): cycles with the
//     provisioning engine, one at a time per job under its lock, the
//     per-server cap on concurrent cycles, the scheduler that runs each
//     enabled job every interval, and the [Observer]s of cycle events
//     (cycle started, object action logged, cycle finished), where
//     notifications and metrics attach; a running cycle's progress is one;
//   - persistence (links.go, logs.go): the engine's LinkStore and LogSink
//     over a store.JobStore, buffered, with group commit of pending
//     creates.
//
// [Service] is the API the admin API (/api/v1) and the CLI use. Jobs are
// named by application id. Its methods:
//
//   - [Service.Configure] creates or changes a job's settings (validated
//     all at once; [ErrInvalid]); [Service.Get], [Service.List],
//     [Service.Delete].
//   - [Service.Start] and [Service.Stop] switch provisioning on and off
//     (Stop also cancels a running cycle; the engine resumes safely).
//   - [Service.Run] runs a cycle now and waits for it; a second request
//     while a cycle runs or is queued joins it (one cycle at a time per
//     job). [Service.Trigger] starts one without waiting.
//   - [Service.Status]: state, the kind of the running or next cycle
//     (initial / incremental), live progress and counts, link counts and
//     the last cycle.
//   - [Service.Logs]: provisioning log entries filtered by status, action,
//     cycle, change id, object and time range, newest first, paged by
//     sequence. Logs are kept by age (retention.go): [Service.PruneLogs]
//     deletes every job's entries older than the retention (Entra: 30
//     days, [DefaultLogRetention]), [Service.RunLogRetention] does so
//     hourly; [Options.MaxLogEntries] per job, oldest pruned after every
//     cycle, is a safety net for the disk.
//   - [Service.Plan]: the next cycle's plan without writing anything.
//   - [Service.Preview]: the requests the next cycle would send for one
//     object; [Service.Object]: one object as the job's scope sees it.
//   - [Service.Provision] (ondemand.go): Entra's provision on demand —
//     one user, or a group and up to provisioning.MaxOnDemandMembers of
//     its members, provisioned now step by step, stopped job or not, under
//     the job's lock (never beside a cycle: ErrBusy), recorded as a cycle
//     of kind on-demand; the watermark stays.
//   - [Service.Escrows]: the objects whose action failed and waits for a
//     later cycle (escrows.go; action, name, attempts, last error, next
//     retry); [Service.RetryEscrows] makes all or one due now and starts a
//     cycle. Transient failures are retried within a cycle first: every
//     job's scim/client has provisioning.RetryPolicy.
//   - [Service.Restart]: clear the watermark (the next cycle is initial),
//     keep the links (Entra's "restart provisioning").
//   - [Service.TestConnection] and [Service.TestCredentials]: Entra's Test
//     Connection (GET /Users?filter=<matching attribute> eq "<random
//     GUID>", RFC 7644 §3.4.2.2) with the precise failure reason of
//     scim/client ([client.ConnectionError]); a successful one reads the
//     application's schema again.
//   - Mappings and scoping one at a time (mappings.go):
//     [Service.SetMapping], [Service.RemoveMapping],
//     [Service.ResetMappings] (Entra's "Restore default mappings": the
//     defaults and no scoping filters), [Service.AddScopingFilter],
//     [Service.RemoveScopingFilter], [Service.ClearScoping]. A change is
//     checked when saved, every problem at once ([ErrInvalid]: unknown
//     source attributes, unparsable expressions, targets the application
//     does not declare), and a saved change restarts the job as Entra
//     does: the next cycle re-evaluates every object in scope.
//   - Schema discovery (schema.go): the application's /Schemas and
//     /ResourceTypes (RFC 7644 §4) are read when credentials are saved and
//     on Test Connection and kept on the job; default mappings to
//     attributes the application does not declare are left out and listed
//     ([Job].Schema.Excluded). An application without /Schemas (404)
//     keeps every default.
//   - [Service.Schedule] runs the scheduler until its ctx ends.
//   - Quarantine (quarantine.go; Entra's, entra-provisioning.md §3.10): a
//     cycle whose object actions were mostly answered 401/403, or mostly
//     failed (scaled for small jobs: at least half of 10 or more, or all
//     of 3 or more), or whose deletions were staged, quarantines the job:
//     [Status].Quarantine says why, since when and the next attempt, the
//     scheduler backs off (5 min doubling, at most daily, never sooner
//     than the interval), and the next cycle that succeeds ends it; a
//     manual Run still runs. Test Connection answered 401/403 quarantines
//     too; a job quarantined for that probes its credentials with Test
//     Connection before a cycle, which sends nothing more while they are
//     refused. [Service.ClearQuarantine] ends it at once.
//     Entering, a change of reason and leaving are [JobEvent]s.
//   - The deletion threshold (deletions.go; Entra's "Prevent accidental
//     deletions", §3.9): a provisioning.CycleGate that stages a cycle's
//     disables and deletes over [DeletionThreshold] (default 500, or 30%
//     of the managed objects from 5 on): logged "staged", not sent, the
//     job quarantined ([ReasonDeletions]), listed by [Service.Staged];
//     [Service.AllowDeletes] lets the next cycle send them once, or the
//     directory is fixed and the next cycle's plan drops them.
//
// Cycles of all jobs share [Options.MaxConcurrentCycles] slots per server
// (default [DefaultMaxConcurrentCycles]). The scheduler starts due jobs,
// most overdue first, while a slot is free; the others stay due for a
// later tick or another server. A manual run without a free slot waits
// for one, its job's state "queued" (Stop, Delete and Close cancel the
// wait: [ErrCancelled]). A cycle holds its job's lock
// (store.JobStore.LockJob, for several servers on one database) until its
// bookkeeping is done; the bookkeeping gets a bounded context of its own,
// so a cancelled cycle is still recorded yet never holds up a shutdown.
//
// Credential warnings (auth.go): a Secret Token that is a JWT expiring
// within credentials.ExpiryLead, and credentials refused after they had
// worked (the token endpoint's refusal, or a cycle whose actions all met
// 401/403), are stored with the job, shown by [Service.Get] and
// [Service.Status] (Warnings) and told once per condition to every
// [JobObserver] as [EventCredentialsWarn].
//
// Errors: [ErrNotFound] (no job for the application), [ErrNoMapping] (no
// mapping of that target, no scoping filter of that number), [ErrBusy]
// (its cycle runs on another server), [ErrCancelled], [ErrClosed], [ErrInvalid]
// (settings rejected; the message says why), [ErrNoToken] (the job has no
// Secret Token yet). The Secret Token is write-only: no method returns it
// and nothing logs it.
//
// Storage is a store.JobStore, whose links and log entries are the
// engine's own values (package record). The engine's LinkTable writes
// link changes in batches (before the watermark moves and at the end of
// every cycle) and the pending links of a chunk's creates in one
// transaction before any of them is sent, so a crash never causes a
// duplicate create; single pending links written concurrently share a
// transaction here (group commit). Log entries are buffered and written in
// batches likewise. Between cycles the Service keeps each job's
// provisioning.LinkTable, the one view of its links in memory, so an
// incremental cycle does not read every link again. A crash loses at most
// buffered log entries and link changes; lost link changes are redone by
// the next cycle, since the watermark had not moved.
package jobs
