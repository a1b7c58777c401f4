package provisioning_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// BenchmarkInitialCycle10k provisions 10,000 directly assigned users into
// the memory-backed SCIM handler over loopback HTTP: one listing to match,
// then 10,000 POSTs at the default concurrency.
func BenchmarkInitialCycle10k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b)
		e.addUsers(10_000)
		b.StartTimer()
		res, err := e.engine.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Created != 10_000 || res.Stats.Failed != 0 {
			b.Fatalf("Run() stats = %+v, want 10,000 created", res.Stats)
		}
	}
}

// BenchmarkIncrementalNothingChanged10k is an incremental cycle over
// 10,000 provisioned users when nothing changed: no request at all.
func BenchmarkIncrementalNothingChanged10k(b *testing.B) {
	e := newEnv(b)
	e.addUsers(10_000)
	if _, err := e.engine.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := e.engine.Run(context.Background())
		if err != nil || res.Stats.Requests != 0 {
			b.Fatalf("Run() = %+v, %v; want no request", res, err)
		}
	}
}

// BenchmarkInitialCycle10kStubTarget is the same cycle against a stub SCIM
// endpoint that stores nothing (an empty listing, then 201 with a fresh id
// for every POST): the engine's and the client's own cost over loopback
// HTTP, without any backend's.
func BenchmarkInitialCycle10kStubTarget(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		e := newEnv(b, func(c *provisioning.Config) { c.Target = stubTarget(b) })
		e.addUsers(10_000)
		b.StartTimer()
		res, err := e.engine.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Created != 10_000 || res.Stats.Failed != 0 {
			b.Fatalf("Run() stats = %+v, want 10,000 created", res.Stats)
		}
	}
}

func stubTarget(b *testing.B) *client.Client {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", scim.MediaType)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `{"schemas":["`+scim.ListResponseMessage+`"],"totalResults":0,"Resources":[]}`)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id":"%d"}`, n.Add(1))
	}))
	b.Cleanup(srv.Close)
	c, err := client.New(srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkRestartCycle10k is an initial cycle (after Restart) over
// 10,000 provisioned users with nothing changed, without a gate and with
// a CycleGate, whose count of the cycle's disables and deletes reads and
// classifies every candidate once more before the first batch.
func BenchmarkRestartCycle10k(b *testing.B) {
	for _, tc := range []struct {
		name string
		gate provisioning.Gate
	}{{"open", nil}, {"cycle-gate", &cycleGate{max: 100}}} {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b, func(c *provisioning.Config) { c.Gate = tc.gate })
			e.addUsers(10_000)
			ctx := context.Background()
			if _, err := e.engine.Run(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := e.engine.Restart(ctx); err != nil {
					b.Fatal(err)
				}
				res, err := e.engine.Run(ctx)
				if err != nil || res.Kind != provisioning.CycleInitial || res.Stats.Created != 0 {
					b.Fatalf("Run() = %+v, %v; want an initial cycle creating nothing", res, err)
				}
			}
		})
	}
}
