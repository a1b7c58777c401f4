// Throwaway profiling harness (not for commit): serve's SCIM wiring plus pprof.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"

	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/server"
)

func main() {
	dsn := flag.String("db", "", "dsn")
	addr := flag.String("addr", "127.0.0.1:0", "")
	paddr := flag.String("pprof", "127.0.0.1:6061", "")
	flag.Parse()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := sqlstore.Open(ctx, *dsn, log)
	if err != nil {
		panic(err)
	}
	defer st.Close()
	tenants := tenant.NewManager(st, tenant.Options{})
	pol, _ := json.Marshal(server.PolicyEntra)
	t, tok, err := tenants.Create(ctx, "bench", pol)
	if err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	base := "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	scimsvc.New(scimsvc.Config{Tenants: tenants, SCIM: server.New(server.Config{
		Registry: scim.NewStandardRegistry(), Backend: st.Backend(), Logger: log,
		MaxBodyBytes: 1 << 20, BulkMaxPayload: 1 << 20,
	}), BaseURL: base, Logger: log}).Register(mux)
	go http.ListenAndServe(*paddr, nil)
	fmt.Printf("%s %s\n", scimsvc.TenantURL(base, t.ID), tok)
	os.Stdout.Sync()
	panic(http.Serve(ln, mux))
}
