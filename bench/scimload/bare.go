package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// bareListResponse is the fixed body of the baseline handler: a
// ListResponse holding one user, about what a userName filter returns.
const bareListResponse = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646","userName":"user42@example.com","name":{"givenName":"Given42","familyName":"Family42"},"emails":[{"value":"user42@example.com","type":"work","primary":true}],"active":true,"meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","version":"W/\"1\"","location":"http://127.0.0.1/scim/t/v2/Users/2819c223-7f76-453a-919d-413861904646"}}]}`

// bareHandler is the baseline the SCIM service is measured against: plain
// net/http answering every request with the same ListResponse, no
// routing, authentication, parsing or storage.
func bareHandler() http.Handler {
	body := []byte(bareListResponse)
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write(body)
	})
}

// serveBare listens on addr (a loopback address), prints the base URL on
// stdout, and serves the baseline handler until ctx ends.
func serveBare(ctx context.Context, addr string, stdout io.Writer) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bare server address: %w", err)
	}
	if err := checkLoopback(host); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	srv := &http.Server{Handler: bareHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("bare server: %w", err)
	}
	return nil
}
