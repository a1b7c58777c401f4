package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store/sqlstore"
)

func newService(t *testing.T, now time.Time, retention time.Duration) *Service {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "provisio.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st.Audit(), Options{Retention: retention, Now: func() time.Time { return now }})
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no secret", `{"scope":"all","tokenSet":true}`, `{"scope":"all","tokenSet":true}`},
		{"top level", `{"token":"s3cr3t","scope":"all"}`, `{"scope":"all","token":"[redacted]"}`},
		{"nested", `{"oauth":{"clientSecret":"cs","clientId":"id"}}`, `{"oauth":{"clientId":"id","clientSecret":"[redacted]"}}`},
		{"in a list", `[{"Password":"pw"}]`, `[{"Password":"[redacted]"}]`},
		{"empty kept", `{"webhookSecret":""}`, `{"webhookSecret":""}`},
		{"numbers kept", `{"secret":"x","rateLimit":1.50}`, `{"rateLimit":1.50,"secret":"[redacted]"}`},
	}
	for _, tc := range tests {
		got, err := redact([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: redact(%s) = %s, %v, want %s", tc.name, tc.in, got, err, tc.want)
		}
	}
	if got, err := redact(nil); got != nil || err != nil {
		t.Errorf("redact(nil) = %q, %v, want nil", got, err)
	}
	if _, err := redact([]byte(`{`)); err == nil {
		t.Error("redact({) = nil error, want one")
	}
}

func TestRecordListPrune(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	s := newService(t, now, 30*24*time.Hour)
	for _, e := range []Entry{
		{Time: now.Add(-40 * 24 * time.Hour), Actor: "old", Method: "POST", Route: "/api/v1/users", Object: "user", Status: 201},
		{Actor: "ops", Method: "PUT", Route: "/api/v1/apps/{app}/job", Object: "job", ObjectID: "hr", Status: 200,
			Before: []byte(`{"token":"s3cr3t"}`), After: []byte(`{"token":"n3w"}`)},
	} {
		if err := s.Record(ctx, e); err != nil {
			t.Fatalf("Record(%s) = %v", e.Actor, err)
		}
	}
	got, err := s.List(ctx, time.Time{}, 0, 0)
	if err != nil || len(got) != 2 {
		t.Fatalf("List() = %+v, %v, want 2 entries", got, err)
	}
	if got[0].Actor != "ops" || !got[0].Time.Equal(now) {
		t.Errorf("List()[0] = %s at %v, want ops at %v (stamped now)", got[0].Actor, got[0].Time, now)
	}
	for _, b := range [][]byte{got[0].Before, got[0].After} {
		if strings.Contains(string(b), "s3cr3t") || strings.Contains(string(b), "n3w") || !strings.Contains(string(b), Redacted) {
			t.Errorf("recorded %s, want the token redacted", b)
		}
	}
	if got, _ := s.List(ctx, now.Add(-time.Hour), 0, 0); len(got) != 1 {
		t.Errorf("List(since 1h ago) = %d entries, want 1", len(got))
	}
	if n, err := s.Prune(ctx); err != nil || n != 1 {
		t.Errorf("Prune() = %d, %v, want 1 (the 40-day-old entry)", n, err)
	}
	if n, err := New(nil, Options{}).Prune(ctx); err != nil || n != 0 {
		t.Errorf("Prune() without retention = %d, %v, want 0, nil", n, err)
	}
}
