package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// AuditOpener returns a fresh, empty audit store; it registers its
// cleanup with t.
type AuditOpener func(t *testing.T) store.AuditStore

// RunAudit runs the conformance suite of [store.AuditStore]: entries come
// back as written, newest first, selected by time and paged by seq;
// pruning removes the old ones only.
func RunAudit(t *testing.T, open AuditOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.AuditStore)
	}{
		{"AppendAndList", testAuditAppendList},
		{"Prune", testAuditPrune},
		{"Filters", testAuditFilters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// appendAudit writes n entries one minute apart from t0 and returns them
// as stored.
func appendAudit(t *testing.T, s store.AuditStore, t0 time.Time, n int) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for i := range n {
		e := store.AuditEntry{Time: t0.Add(time.Duration(i) * time.Minute), Actor: "ops", ActorID: "tok1", Method: "PUT",
			Route: "/api/v1/apps/{app}/job", Path: "/api/v1/apps/hr/job", Object: "job", ObjectID: "hr", Status: 200}
		if i%2 == 0 {
			e.Before, e.After = []byte(`{"scope":"all"}`), []byte(`{"scope":"assigned"}`)
		}
		got, err := s.AppendAudit(context.Background(), e)
		if err != nil {
			t.Fatalf("AppendAudit(%d) = %v", i, err)
		}
		if got.Seq <= 0 || (len(out) > 0 && got.Seq <= out[len(out)-1].Seq) {
			t.Fatalf("AppendAudit(%d).Seq = %d, want increasing and positive", i, got.Seq)
		}
		out = append(out, got)
	}
	return out
}

func testAuditAppendList(t *testing.T, s store.AuditStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	all := appendAudit(t, s, t0, 5)
	rev := func(es ...store.AuditEntry) []store.AuditEntry {
		out := make([]store.AuditEntry, len(es))
		for i, e := range es {
			out[len(es)-1-i] = e
		}
		return out
	}
	tests := []struct {
		name string
		q    store.AuditQuery
		want []store.AuditEntry
	}{
		{"all", store.AuditQuery{}, rev(all...)},
		{"since", store.AuditQuery{Since: t0.Add(3 * time.Minute)}, rev(all[3:]...)},
		{"limit", store.AuditQuery{Limit: 2}, rev(all[3:]...)},
		{"before", store.AuditQuery{Before: all[3].Seq, Limit: 2}, rev(all[1:3]...)},
		{"since and before", store.AuditQuery{Since: t0.Add(time.Minute), Before: all[2].Seq}, rev(all[1])},
		{"none", store.AuditQuery{Since: t0.Add(time.Hour)}, nil},
	}
	for _, tc := range tests {
		got, err := s.Audit(ctx, tc.q)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Audit(%+v) = %+v, %v, want %+v", tc.name, tc.q, got, err, tc.want)
		}
	}
}

func testAuditPrune(t *testing.T, s store.AuditStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	all := appendAudit(t, s, t0, 4)
	n, err := s.PruneAudit(ctx, t0.Add(2*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("PruneAudit(t0+2m) = %d, %v, want 2", n, err)
	}
	got, err := s.Audit(ctx, store.AuditQuery{})
	if err != nil || !reflect.DeepEqual(got, []store.AuditEntry{all[3], all[2]}) {
		t.Errorf("Audit() after prune = %+v, %v, want the two newest", got, err)
	}
}

// testAuditFilters checks Until, Actor (name or id, any case) and Object
// (kind or id, any case).
func testAuditFilters(t *testing.T, s store.AuditStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	all := appendAudit(t, s, t0, 3)
	other, err := s.AppendAudit(ctx, store.AuditEntry{Time: t0.Add(10 * time.Minute), Actor: "Alice@Example.com", ActorID: "u-1",
		Method: "POST", Route: "/api/v1/users", Path: "/api/v1/users", Object: "user", ObjectID: "bob@example.com", Status: 201})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    store.AuditQuery
		want []store.AuditEntry
	}{
		{"until", store.AuditQuery{Until: t0.Add(2 * time.Minute)}, []store.AuditEntry{all[1], all[0]}},
		{"actor name any case", store.AuditQuery{Actor: "alice@example.COM"}, []store.AuditEntry{other}},
		{"actor id", store.AuditQuery{Actor: "tok1"}, []store.AuditEntry{all[2], all[1], all[0]}},
		{"object kind", store.AuditQuery{Object: "USER"}, []store.AuditEntry{other}},
		{"object id", store.AuditQuery{Object: "hr", Since: t0.Add(time.Minute)}, []store.AuditEntry{all[2], all[1]}},
		{"actor and object", store.AuditQuery{Actor: "ops", Object: "user"}, nil},
	}
	for _, tc := range tests {
		got, err := s.Audit(ctx, tc.q)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Audit(%+v) = %+v, %v, want %+v", tc.name, tc.q, got, err, tc.want)
		}
	}
}
