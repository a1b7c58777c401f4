package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/oklog/run"
	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/directory/dirsvc"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/server"
)

// shutdownTimeout bounds how long serve waits for in-flight requests
// after SIGTERM/SIGINT before closing connections and the database.
const shutdownTimeout = 20 * time.Second

func newServeCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the SCIM service provider and the admin API",
		Long: `Run the multi-tenant SCIM 2.0 service provider (/scim/{tenant}/v2/...), the admin
API (/api/v1/...) and GET /healthz on one listener, and the provisioning scheduler that
runs every started job's cycle each interval.

Data lives in SQLite at <data-dir>/provisio.db unless --db names a PostgreSQL database.
On first start serve creates an admin token, stores only its hash, and writes the token
to <data-dir>/admin.token (mode 0600), where the CLI finds it. Provisioning jobs' Secret
Tokens are encrypted with $PROVISIO_SECRET_KEY or else <data-dir>/secret.key (generated).

Every flag has an environment variable (shown in brackets); a flag wins over its
variable. SIGTERM or SIGINT shuts down gracefully: in-flight requests finish, then the
database closes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.LoadServe(cmd.Flags(), e.getenv)
			if err != nil {
				return err
			}
			log := newLogger(e.stderr, cfg)
			return serve(cmd.Context(), cfg, log, e.ready)
		},
	}
	config.Register(cmd.Flags(), config.ServeOptions())
	return cmd
}

// newLogger builds the process's one logger.
func newLogger(w io.Writer, cfg config.Serve) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// serve runs the server until ctx ends or the process gets SIGTERM or
// SIGINT, then shuts down gracefully: http.Server.Shutdown waits (up to
// shutdownTimeout) for in-flight requests, and only then does the store
// close, so every acknowledged write is committed. ready, if non-nil, is
// called with the base URL once the server accepts requests.
func serve(ctx context.Context, cfg config.Serve, log *slog.Logger, ready func(string)) error {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	st, err := sqlstore.Open(ctx, cfg.DSN(), log)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close store", "err", err)
		}
	}()
	tenants := tenant.NewManager(st, tenant.Options{})
	if err := ensureAdminToken(ctx, tenants, cfg.AdminTokenPath(), log); err != nil {
		return err
	}
	dir := dirsvc.New(st.Directory(), dirsvc.Options{Logger: log})
	jobSvc, err := newJobService(cfg, st, log)
	if err != nil {
		return err
	}
	defer jobSvc.Close() // before the store closes: cycles end first

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base := cfg.BaseURL(ln.Addr())
	mux := http.NewServeMux()
	scimsvc.New(scimsvc.Config{
		Tenants: tenants,
		SCIM: server.New(server.Config{
			Registry:       scim.NewStandardRegistry(),
			Backend:        st.Backend(),
			Logger:         log,
			MaxBodyBytes:   cfg.MaxBody,
			BulkMaxPayload: cfg.MaxBody,
		}),
		BaseURL: base,
		Logger:  log,
	}).Register(mux)
	adminapi.New(adminapi.Config{Tenants: tenants, Events: st, Directory: dir, Jobs: jobSvc,
		BaseURL: base, MaxBody: cfg.MaxBody, Logger: log}).Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	srv := &http.Server{
		Handler:           accessLog(mux, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	var g run.Group
	g.Add(run.SignalHandler(ctx, os.Interrupt, syscall.SIGTERM))
	g.Add(func() error {
		log.Info("provisio serving", "addr", ln.Addr().String(), "base_url", base, "database", dbKind(cfg))
		if ready != nil {
			ready(base)
		}
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	}, func(error) {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("shutdown: in-flight requests did not finish in time", "err", err)
		}
	})
	bg, stopBackground := context.WithCancel(ctx)
	g.Add(func() error { return jobSvc.Schedule(bg) }, func(error) { stopBackground() })
	g.Add(func() error {
		if err := dir.RunRetention(bg, retentionInterval); !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}, func(error) { stopBackground() })
	err = g.Run()
	var sig *run.SignalError
	if errors.As(err, &sig) || errors.Is(err, context.Canceled) {
		log.Info("provisio stopped", "reason", err.Error())
		return nil
	}
	return err
}

// retentionInterval is how often soft-deleted users past their
// retention are purged.
const retentionInterval = time.Hour

// newJobService builds the provisioning job service over the store, with
// Secret Tokens encrypted by the key from $PROVISIO_SECRET_KEY or the key
// file in the data directory (created on first start).
func newJobService(cfg config.Serve, st *sqlstore.Store, log *slog.Logger) (*jobs.Service, error) {
	key, err := secretbox.LoadKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("load secret key: %w", err)
	}
	box, err := secretbox.New(key)
	if err != nil {
		return nil, fmt.Errorf("load secret key: %w", err)
	}
	svc, err := jobs.New(jobs.Options{Store: st.Jobs(), Source: st.Directory(), Box: box, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("start provisioning jobs: %w", err)
	}
	return svc, nil
}

// dbKind names the database for logs without showing a DSN (which may
// hold a password).
func dbKind(cfg config.Serve) string {
	if cfg.DB != "" {
		return "postgresql"
	}
	return "sqlite:" + cfg.DSN()
}

// ensureAdminToken creates the admin token on first start and writes it
// to path with mode 0600. The token itself is never logged.
func ensureAdminToken(ctx context.Context, tenants *tenant.Manager, path string, log *slog.Logger) error {
	tok, created, err := tenants.EnsureAdminToken(ctx)
	if err != nil {
		return err
	}
	if !created {
		if _, err := os.Stat(path); err != nil {
			log.Warn("an admin token exists but its file is missing; set PROVISIO_ADMIN_TOKEN for the CLI", "path", path)
		}
		return nil
	}
	if err := writeSecretFile(path, tok); err != nil {
		return fmt.Errorf("write admin token: %w", err)
	}
	log.Info("created the admin token; the CLI reads it from this file", "path", path)
	return nil
}

// writeSecretFile writes secret to path, readable by the owner only,
// replacing any older file atomically.
func writeSecretFile(path, secret string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".admin.token-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after the rename
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := io.WriteString(f, secret+"\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// accessLog logs one line per request: method, path, status, duration.
// Never headers (Authorization carries tokens) nor query strings (a
// filter may hold personal data).
func accessLog(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.LogAttrs(r.Context(), slog.LevelDebug, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
	})
}

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
