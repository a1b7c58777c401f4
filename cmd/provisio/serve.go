package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/app"
	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/demo"
	"github.com/provisio-dev/provisio/internal/memlimit"
)

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

With --demo, an empty directory is seeded with a small company (users, groups, one
nested), a SCIM tenant "Demo App (local SCIM)" on this server, and an app "Demo App"
provisioning into it every 10s; the tenant's portal (/app/TENANT/) signs in through this
server's OpenID provider, and a few users get the demo password "provisio-demo" (only
with --demo). serve then prints commands that show the whole loop, sign-in included.
Seeding happens once: later starts with --demo find the demo and leave it as it is.

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
			return serve(cmd.Context(), cfg, log, e)
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
// SIGINT, then shuts down gracefully (see app.App.Run). With cfg.Demo it
// seeds the demo first and prints the guide to e.stdout. e.ready, if set,
// is called with the base URL once the server accepts requests.
func serve(ctx context.Context, cfg config.Serve, log *slog.Logger, e *env) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if memlimit.Follow(ctx, time.Second, e.getenv) {
		log.Debug("soft memory limit follows the live heap (GOMEMLIMIT overrides it)")
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("close", "err", err)
		}
	}()
	if cfg.Demo {
		if err := startDemo(ctx, a, cfg, log, e); err != nil {
			return err
		}
	}
	if e.ready != nil {
		e.ready(a.BaseURL()) // the listener is bound: requests queue until Run serves them
	}
	return a.Run(ctx)
}

// startDemo seeds the demo and prints what to try. A directory with data
// of its own is left alone, with a warning.
func startDemo(ctx context.Context, a *app.App, cfg config.Serve, log *slog.Logger, e *env) error {
	r, err := a.SeedDemo(ctx)
	if errors.Is(err, demo.ErrNotEmpty) {
		log.Warn(err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	return demo.WriteGuide(e.stdout, r, demo.GuideOptions{Prog: e.prog, Server: a.BaseURL(), DataDir: cfg.DataDir})
}
