// Command enginebench is `provisio serve` (the same internal/app wiring:
// SQLite in --data-dir, admin API, directory and provisioning job
// services) plus net/http/pprof on a second loopback listener, so that
// bench/engine.sh --profile can profile the engine side of a cycle and
// bench/scimprof.sh the SCIM service (--db: on PostgreSQL).
//
//	enginebench --addr 127.0.0.1:8080 --data-dir DIR [--db URL] --pprof 127.0.0.1:6060 [--log-level warn]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/provisio-dev/provisio/internal/app"
	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/memlimit"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg config.Serve
	pprofAddr := flag.String("pprof", "127.0.0.1:6060", "loopback address of the pprof listener")
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	flag.StringVar(&cfg.DataDir, "data-dir", "", "data directory (SQLite)")
	flag.StringVar(&cfg.DB, "db", "", "PostgreSQL URL (default: SQLite in --data-dir)")
	level := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()
	if cfg.DataDir == "" {
		return errors.New("--data-dir is required")
	}
	cfg.MaxBody, cfg.LogFormat = 1<<20, "json"
	if err := cfg.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	memlimit.Follow(ctx, time.Second, nil) // as serve does
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", *pprofAddr)
	if err != nil {
		return fmt.Errorf("pprof listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	psrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = psrv.Serve(ln) }()
	defer psrv.Close()
	return a.Run(ctx)
}
