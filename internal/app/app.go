// Package app assembles Provisio's server from its parts, once, for
// `provisio serve` and for the tests that run the whole service
// in-process. It owns the wiring and the lifecycle: the store (SQLite or
// PostgreSQL, migrations applied when it opens), the admin token and its
// file, the secret box that encrypts provisioning jobs' Secret Tokens, the
// tenant manager, the SCIM 2.0 service provider under /scim/{tenant}/v2
// (RFC 7644 §3), the admin API under /api/v1, GET /healthz, GET /metrics
// (Prometheus, package metrics), the directory
// and provisioning job services, the notifier of job events (email and
// webhooks, an Observer of the job service), the provisioning scheduler,
// the retention of soft-deleted users and of the audit log (recorded by
// the admin API), and graceful shutdown: in-flight
// requests finish and running provisioning cycles are cancelled before the
// store closes.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/oklog/run"
	"golang.org/x/net/netutil"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/audit"
	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/demo"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/exprsvc"
	"github.com/provisio-dev/provisio/internal/metrics"
	"github.com/provisio-dev/provisio/internal/notify"
	"github.com/provisio-dev/provisio/internal/notify/mailer"
	"github.com/provisio-dev/provisio/internal/oidckeys"
	"github.com/provisio-dev/provisio/internal/portal"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/source"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/internal/web"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/server"
)

// ShutdownTimeout bounds how long Run waits for in-flight requests once
// its context ends, before it closes the remaining connections.
const ShutdownTimeout = 20 * time.Second

// HTTP timeouts beside the configurable ones (config.Serve.ReadTimeout,
// IdleTimeout). There is no WriteTimeout for a whole response: `job run
// --wait` waits for a cycle and a large page streams for as long as it
// needs. Instead every 64 KiB of a response must reach the client within
// WriteStallTimeout (see writeProgress), so a client that stops reading
// cannot hold its connection.
const (
	ReadHeaderTimeout = 10 * time.Second
	WriteStallTimeout = time.Minute
)

// RetentionInterval is how often soft-deleted users, directory changes
// and provisioning log entries past their retention are purged.
const RetentionInterval = time.Hour

// App is one Provisio server: built by New, served by Run, released by
// Close.
type App struct {
	cfg     config.Serve
	log     *slog.Logger
	store   *sqlstore.Store
	tenants *tenant.Manager
	dir     *dirsvc.Service
	oidc    http.Handler // the OpenID provider, under OIDCPrefix
	keys    *oidckeys.Service
	jobs    *jobs.Service
	notify  *notify.Notifier
	metrics *metrics.Metrics
	audit   *audit.Service
	key     []byte // the secret key (secretbox)
	portal  *portal.Portal
	admins  web.Admins // who may use the web UI: the directory's administrators (tests may replace it)
	ln      net.Listener
	base    string
	handler http.Handler
}

// New opens the store (applying migrations), creates the admin token on
// first start (written to cfg.AdminTokenPath(), mode 0600), loads the
// secret key, builds the services and binds cfg.Addr. The listener
// accepts connections from here on; they are answered once Run starts.
// On error everything opened so far is closed.
func New(ctx context.Context, cfg config.Serve, log *slog.Logger) (_ *App, err error) {
	if err := privateDir(cfg.DataDir, log); err != nil {
		return nil, err
	}
	st, err := sqlstore.Open(ctx, cfg.DSN(), log)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	st.SetJobLease(cmp.Or(cfg.JobLease, config.DefaultJobLease))
	a := &App{cfg: cfg, log: log, store: st}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	key, err := secretbox.LoadKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("load secret key: %w", err)
	}
	if cfg.DB != "" && cfg.SecretKey == "" {
		// Each node would seal with a key of its own data directory, and
		// no other node could run the jobs it configured (docs/deploy.md).
		log.Warn("PostgreSQL without $"+secretbox.KeyEnv+": this node seals job secrets with the key file of its data directory; "+
			"every node on the database needs the same key, set $"+secretbox.KeyEnv, "key_file", filepath.Join(cfg.DataDir, secretbox.KeyFile))
	}
	box, err := secretbox.New(key)
	if err != nil {
		return nil, fmt.Errorf("load secret key: %w", err)
	}
	a.key = key
	a.tenants = tenant.NewManager(st, tenant.Options{Box: box})
	if err := ensureAdminToken(ctx, a.tenants, cfg.AdminTokenPath(), log); err != nil {
		return nil, err
	}
	a.dir = dirsvc.New(st.Directory(), dirsvc.Options{Logger: log, Sources: source.Builtin(), SSO: st.OIDC()})
	a.admins = a.dir // the web UI's administrators: users with the administrator role (provisio user set-admin)
	a.audit = audit.New(st.Audit(), audit.Options{Retention: audit.DefaultRetention, Logger: log})
	a.notify = newNotifier(cfg, log, func(ctx context.Context, appID string) (jobs.Webhook, error) {
		return a.jobs.Webhook(ctx, appID)
	})
	a.metrics = metrics.New(metrics.Options{TenantLabel: cfg.MetricsTenantLabel, Jobs: jobState{a}, Logger: log})
	if a.jobs, err = newJobService(cfg, st, box, log, a.appName, a.notify, a.metrics); err != nil {
		return nil, err
	}
	if a.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	a.ln = netutil.LimitListener(a.ln, cmp.Or(cfg.MaxConns, config.DefaultMaxConns))
	a.base = cfg.BaseURL(a.ln.Addr())
	if a.portal, err = newPortal(a.tenants, a.store, a.key, a.base, log); err != nil {
		return nil, err
	}
	a.keys = oidcKeyService(st, box)
	ui, err := uiClient(a.base, key)
	if err != nil {
		return nil, err
	}
	signIn, err := oidcSignIn(cfg, box, a.dir)
	if err != nil {
		return nil, err
	}
	if a.oidc, err = newOIDC(ctx, a.base, st, box, key, a.dir, signIn, ui, appAdmins{a}, log); err != nil {
		return nil, err
	}
	if a.handler, err = a.routes(); err != nil {
		return nil, err
	}
	return a, nil
}

// BaseURL is the server's external base URL (--public-url, or http:// and
// the bound address).
func (a *App) BaseURL() string { return a.base }

// Handler serves the SCIM service, the admin API, /healthz and /metrics, with one
// debug log line per request.
func (a *App) Handler() http.Handler { return a.handler }

// SeedDemo seeds the demo (see package demo) into this server's directory,
// with its SCIM tenant on this server, or finds the one an earlier start
// seeded. It returns demo.ErrNotEmpty for a directory with users of its own.
func (a *App) SeedDemo(ctx context.Context) (demo.Result, error) {
	return demo.Seed(ctx, demo.Services{Directory: a.dir, Tenants: a.tenants, Jobs: a.jobs, BaseURL: a.base,
		Issuer: a.base + OIDCPrefix, Logger: a.log})
}

// routes builds the one handler of the server.
func (a *App) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	scimSvc := a.metrics.SCIM(scimsvc.New(scimsvc.Config{
		Tenants: a.tenants,
		SCIM: a.metrics.SCIMTenant(server.New(server.Config{
			Registry:       scim.NewStandardRegistry(),
			Backend:        scimsvc.HashPasswords(a.store.Backend()),
			Logger:         a.log,
			MaxBodyBytes:   a.cfg.MaxBody,
			BulkMaxPayload: a.cfg.MaxBody,
		})),
		BaseURL: a.base,
		Logger:  a.log,
	}))
	mux.Handle(scimsvc.Pattern, scimSvc)
	mux.Handle(scimsvc.RootPattern, scimSvc)
	a.portal.Register(mux)
	api := adminapi.New(adminapi.Config{Tenants: a.tenants, Events: a.tenants,
		Directory: a.dir, Jobs: a.jobs, Expressions: exprsvc.New(a.dir, a.jobs), Audit: a.audit,
		OIDCKeys: a.keys, BaseURL: a.base, MaxBody: a.cfg.MaxBody,
		ReadTimeout: cmp.Or(a.cfg.ReadTimeout, config.DefaultReadTimeout), Logger: a.log})
	mux.Handle(adminapi.Prefix, a.metrics.Admin(api))
	ui, err := a.newWeb(api)
	if err != nil {
		return nil, err
	}
	ui.Register(mux)
	// Open like /healthz: counts only, no personal data (see
	// docs/operations.md, "Metrics": bind to loopback or a proxy).
	mux.Handle(OIDCPrefix+"/", a.oidc)
	mux.Handle("GET /metrics", a.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	// /healthz is liveness: the process serves HTTP, whatever its
	// database does (restarting every node while PostgreSQL is down helps
	// nothing). /readyz is readiness: 200 only while the database answers
	// within ReadyTimeout, so a load balancer sends no traffic to a node
	// cut off from it (docs/deploy.md).
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		ctx, cancel := context.WithTimeout(r.Context(), ReadyTimeout)
		defer cancel()
		if err := a.store.Ping(ctx); err != nil {
			a.log.Warn("readyz: database unavailable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"status":"unavailable","reason":"database"}`+"\n")
			return
		}
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	return accessLog(mux, a.log), nil
}

// ReadyTimeout bounds the database check of GET /readyz.
const ReadyTimeout = 2 * time.Second

// Run serves HTTP on the listener New bound and runs the provisioning
// scheduler and the retention of soft-deleted users, until ctx ends or one
// of them fails. Then it shuts down gracefully, within ShutdownTimeout
// whatever provisioning targets do: http.Server.Shutdown waits (up to
// ShutdownTimeout) for in-flight requests, and the scheduler cancels its
// running cycles (at once when ctx ends) and waits for them, whose
// bookkeeping is bounded (see package jobs). It returns nil when ctx
// ended. Call Close afterwards.
func (a *App) Run(ctx context.Context) error {
	srv := &http.Server{
		Handler:           writeProgress(a.handler, WriteStallTimeout),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       cmp.Or(a.cfg.ReadTimeout, config.DefaultReadTimeout),
		IdleTimeout:       cmp.Or(a.cfg.IdleTimeout, config.DefaultIdleTimeout),
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	var g run.Group
	stopped := make(chan struct{})
	g.Add(func() error {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-stopped:
			return nil
		}
	}, func(error) { close(stopped) })
	g.Add(func() error {
		a.log.Info("provisio serving", "addr", a.ln.Addr().String(), "base_url", a.base, "database", a.dbKind())
		if err := srv.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	}, func(error) {
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			a.log.Warn("shutdown: in-flight requests did not finish in time", "err", err)
		}
	})
	bg, stopBackground := context.WithCancel(ctx)
	g.Add(func() error {
		// Then no request starts a cycle that nothing would cancel.
		defer a.jobs.Close()
		return a.jobs.Schedule(bg)
	}, func(error) { stopBackground() })
	g.Add(func() error {
		if err := a.dir.RunRetention(bg, RetentionInterval); !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}, func(error) { stopBackground() })
	g.Add(func() error { return a.notify.Run(bg) }, func(error) { stopBackground() })
	if a.cfg.EventRetention > 0 {
		g.Add(func() error { return a.pruneEvents(bg) }, func(error) { stopBackground() })
	}
	if a.cfg.LogRetention > 0 {
		g.Add(func() error { return a.jobs.RunLogRetention(bg, a.cfg.LogRetention, RetentionInterval) }, func(error) { stopBackground() })
	}
	g.Add(func() error { return a.audit.RunRetention(bg, RetentionInterval) }, func(error) { stopBackground() })
	err := g.Run()
	if ctx.Err() != nil {
		a.log.Info("provisio stopped", "reason", context.Cause(ctx).Error())
		return nil
	}
	return err
}

// Close ends the job service's cycles, then closes the listener (if Run
// did not) and the store.
func (a *App) Close() error {
	if a.jobs != nil {
		a.jobs.Close()
	}
	var errs []error
	if a.ln != nil {
		if err := a.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("close listener: %w", err))
		}
	}
	if err := a.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close store: %w", err))
	}
	return errors.Join(errs...)
}

// newJobService builds the provisioning job service over the store, with
// Secret Tokens encrypted by box (the key from $PROVISIO_SECRET_KEY or the
// key file in the data directory, created on first start).
func newJobService(cfg config.Serve, st *sqlstore.Store, box *secretbox.Box, log *slog.Logger, appName func(context.Context, string) (string, error), observers ...jobs.Observer) (*jobs.Service, error) {
	svc, err := jobs.New(jobs.Options{Store: st.Jobs(), Source: st.Directory(), Box: box, Outbound: cfg.Outbound, Logger: log,
		MaxConcurrentCycles: cfg.MaxConcurrentCycles, ChangeDebounce: cfg.ChangeDebounce, Observers: observers, AppName: appName})
	if err != nil {
		return nil, fmt.Errorf("start provisioning jobs: %w", err)
	}
	return svc, nil
}

// appName is an application's name in the directory, for the job events
// people read.
func (a *App) appName(ctx context.Context, appID string) (string, error) {
	app, err := a.dir.GetApp(ctx, appID)
	return app.Name, err
}

// newNotifier builds the notifier of job events: email through cfg.SMTP
// (none: logged), webhooks looked up with webhook and held to
// cfg.Outbound.
func newNotifier(cfg config.Serve, log *slog.Logger, webhook func(context.Context, string) (jobs.Webhook, error)) *notify.Notifier {
	o := notify.Options{From: cfg.SMTPFrom, Webhook: webhook, Outbound: cfg.Outbound, Logger: log}
	if cfg.SMTP != nil {
		o.Mailer = mailer.New(*cfg.SMTP, mailer.Options{})
		log.Info("notification emails go through SMTP", "smtp", cfg.SMTP.String(), "from", cfg.SMTPFrom)
	}
	return notify.New(o)
}

// privateDir creates the data directory with mode 0700, or tightens an
// existing one to 0700: it holds the database, the admin token and the
// secret key. A directory that cannot be changed (owned by another user,
// as a mounted volume may be) is only warned about: its files are 0600.
func privateDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if was := fi.Mode().Perm(); was != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			log.Warn("the data directory is open to other users and cannot be made private (0700)", "path", dir, "mode", was.String(), "err", err)
			return nil
		}
		log.Info("made the data directory private (mode 0700)", "path", dir, "was", was.String())
	}
	return nil
}

// dbKind names the database for logs without showing a DSN (which may
// hold a password).
func (a *App) dbKind() string {
	if a.cfg.DB != "" {
		return "postgresql"
	}
	return "sqlite:" + a.cfg.DSN()
}

// ensureAdminToken creates the admin token on first start. The token is
// written to path (mode 0600) before it is stored, so a file that cannot
// be written leaves no valid token that nobody has. The token itself is
// never logged.
func ensureAdminToken(ctx context.Context, tenants *tenant.Manager, path string, log *slog.Logger) error {
	created, err := tenants.EnsureAdminToken(ctx, writeAdminToken(path))
	if err != nil {
		return err
	}
	if !created {
		if _, err := os.Stat(path); err != nil {
			log.Warn("an admin token exists but its file is missing: set PROVISIO_ADMIN_TOKEN for the CLI, or make a new token with `provisio admin-token reset` on this machine", "path", path)
		}
		return nil
	}
	log.Info("created the admin token; the CLI reads it from this file", "path", path)
	return nil
}

// writeAdminToken keeps a new admin token's secret in path (mode 0600).
func writeAdminToken(path string) func(secret string) error {
	return func(secret string) error {
		if err := config.WriteSecretFile(path, secret); err != nil {
			return fmt.Errorf("write admin token: %w", err)
		}
		return nil
	}
}

// ResetAdminToken is `provisio admin-token reset`, the recovery of a lost
// admin token: run on the server's machine with the server's data
// directory and database (cfg.DataDir, cfg.DB), needing no token, it
// writes a new admin token named name to cfg.AdminTokenPath() (mode 0600),
// only then stores it, and revokes every other admin token (see
// tenant.Manager.ResetAdminTokens). The server may be running: it accepts
// the new token at once and refuses the revoked ones within
// tenant.DefaultCacheTTL. A SQLite database that does not exist is an
// error, not created: the data directory is probably the wrong one.
func ResetAdminToken(ctx context.Context, cfg config.Serve, name string, log *slog.Logger) (created store.Token, revoked []store.Token, err error) {
	if cfg.DB == "" {
		if _, err := os.Stat(cfg.DSN()); err != nil {
			return store.Token{}, nil, fmt.Errorf("no database in --data-dir %s (%w); give the data directory of the server, or its --db", cfg.DataDir, err)
		}
	}
	if err := privateDir(cfg.DataDir, log); err != nil {
		return store.Token{}, nil, err
	}
	st, err := sqlstore.Open(ctx, cfg.DSN(), log)
	if err != nil {
		return store.Token{}, nil, fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close store: %w", cerr))
		}
	}()
	created, revoked, err = tenant.NewManager(st, tenant.Options{}).ResetAdminTokens(ctx, name, writeAdminToken(cfg.AdminTokenPath()))
	if created.ID != "" {
		recordReset(ctx, audit.New(st.Audit(), audit.Options{Logger: log}), created, log)
	}
	return created, revoked, err
}

// ResetActor is the audit log's actor of `provisio admin-token reset`,
// which runs without a token.
const ResetActor = "admin-token reset"

// recordReset records an admin token reset in the audit log; the reset
// stands if that fails, which is logged.
func recordReset(ctx context.Context, al *audit.Service, created store.Token, log *slog.Logger) {
	err := al.Record(ctx, audit.Entry{Actor: ResetActor, Method: "LOCAL", Route: "provisio admin-token reset",
		Object: "token", ObjectID: created.ID})
	if err != nil && log != nil {
		log.Error("audit: record a change", "route", "provisio admin-token reset", "err", err)
	}
}

// pruneEvents deletes the tenants' change-feed events older than the
// event retention, every RetentionInterval until ctx ends; failures are
// logged and retried at the next tick.
func (a *App) pruneEvents(ctx context.Context) error {
	t := time.NewTicker(RetentionInterval)
	defer t.Stop()
	for {
		n, err := a.store.PruneEvents(ctx, time.Now().Add(-a.cfg.EventRetention))
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Warn("retention: prune tenants' change feeds", "err", err)
		case n > 0:
			a.log.Info("pruned tenants' change-feed events past retention", "count", n, "retention", a.cfg.EventRetention)
		}
		a.pruneOIDC(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// accessLog logs one line per request: method, path, status, duration.
// Never headers (Authorization carries tokens) nor query strings (a
// filter may hold personal data).
func accessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r) // no clock reading nor wrapper for a line not written
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.LogAttrs(r.Context(), slog.LevelDebug, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

// writeChunk is how much of a response must be written within one write
// deadline.
const writeChunk = 64 << 10

// writeProgress gives every writeChunk bytes of a response a write
// deadline of stall from when its write starts: a response takes as long
// as it needs while the client reads it, and a client that stops reading
// is disconnected after stall.
func writeProgress(next http.Handler, stall time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		// No deadline while the handler works (one left by the previous
		// request on this connection must not cut this one), then one
		// for the final flush.
		_ = rc.SetWriteDeadline(time.Time{})
		next.ServeHTTP(&progressWriter{ResponseWriter: w, rc: rc, stall: stall}, r)
		_ = rc.SetWriteDeadline(time.Now().Add(stall))
	})
}

// progressWriter sets a write deadline before each chunk it writes.
type progressWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
}

func (w *progressWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), writeChunk)]
		_ = w.rc.SetWriteDeadline(time.Now().Add(w.stall))
		m, err := w.ResponseWriter.Write(chunk)
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *progressWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusWriter records the response status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// jobState is the job service for the metrics' scrape-time collector,
// read through the App because the service is built after the metrics
// (which observe it).
type jobState struct{ a *App }

func (j jobState) List(ctx context.Context) ([]jobs.Job, error) { return j.a.jobs.List(ctx) }

func (j jobState) Status(ctx context.Context, appID string) (*jobs.Status, error) {
	return j.a.jobs.Status(ctx, appID)
}

func (j jobState) Escrows(ctx context.Context, appID string) ([]jobs.Escrow, error) {
	return j.a.jobs.Escrows(ctx, appID)
}
