package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckTimeout bounds `provisio healthcheck`'s request.
const healthcheckTimeout = 5 * time.Second

// newHealthcheckCmd builds `provisio healthcheck`: GET /healthz (or
// /readyz) of a server and exit 0 on 200, 1 otherwise. Container images
// without curl (FROM scratch) use it as their HEALTHCHECK.
func newHealthcheckCmd(e *env) *cobra.Command {
	var u string
	var ready bool
	cmd := &cobra.Command{
		Use:   "healthcheck [--url URL] [--ready]",
		Short: "Check that a Provisio server answers /healthz (exit 0) or not (exit 1)",
		Long: `GET the server's /healthz and exit with status 0 when it answers 200, 1 otherwise
(within 5 s), for container health checks where there is no curl. --ready asks /readyz
instead: 200 only while the server's database answers (see docs/deploy.md).
Without --url the server is the one $PROVISIO_ADDR names on this host (0.0.0.0 and
:: become 127.0.0.1), or http://127.0.0.1:8080.`,
		Example: `  provisio healthcheck
  provisio healthcheck --url http://127.0.0.1:8080/healthz
  provisio healthcheck --ready`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if u == "" {
				path := "/healthz"
				if ready {
					path = "/readyz"
				}
				u = localURL(e.getenv("PROVISIO_ADDR")) + path
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), healthcheckTimeout)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return fmt.Errorf("healthcheck: %w", err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return fmt.Errorf("healthcheck %s: %w", u, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("healthcheck %s: %s %s", u, resp.Status, strings.TrimSpace(string(body)))
			}
			_, err = fmt.Fprintf(e.stdout, "%s: %s\n", u, strings.TrimSpace(string(body)))
			return err
		},
	}
	cmd.Flags().StringVar(&u, "url", "", "URL to GET (default: /healthz of the local server)")
	cmd.Flags().BoolVar(&ready, "ready", false, "GET /readyz: healthy only while the database answers")
	return cmd
}

// localURL is the base URL of a server listening on addr, reached from
// this host.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if addr == "" || err != nil {
		return "http://127.0.0.1:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
