// Package audit owns the audit log of administrative changes (issue 12):
// who changed what and when through the admin API, with the job's
// settings and mappings before and after a change to them. It records
// only changes that took effect; refused requests (a bad admin token, a
// 4xx) are in the server's logs, not here. Secrets never reach a row:
// the admin API records the job as its read-only wire form, whose Secret
// Token, webhook secret and OAuth client secret are write-only, and
// Record redacts any value under a secret's key once more. Entries older
// than the retention (DefaultRetention unless configured) are pruned by
// RunRetention.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// Entry is one recorded change (see [store.AuditEntry]).
type Entry = store.AuditEntry

// DefaultRetention is how long entries are kept unless configured: a
// year, the span an access review usually covers.
const DefaultRetention = 365 * 24 * time.Hour

// DefaultLimit and MaxLimit bound List's limit.
const (
	DefaultLimit = store.DefaultAuditLimit
	MaxLimit     = store.MaxAuditLimit
)

// Redacted replaces a secret's value in Before and After.
const Redacted = "[redacted]"

// Options configures a Service.
type Options struct {
	// Retention is how long entries are kept; 0 keeps them for ever.
	Retention time.Duration
	Now       func() time.Time // nil: time.Now
	Logger    *slog.Logger     // nil: slog.Default()
}

// Service records and lists the audit log.
type Service struct {
	st   store.AuditStore
	opts Options
	log  *slog.Logger
}

// New returns the audit log over st.
func New(st store.AuditStore, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, opts: opts, log: log}
}

// Record stores e, stamped now unless it has a time, with any secret in
// Before and After redacted.
func (s *Service) Record(ctx context.Context, e Entry) error {
	if e.Time.IsZero() {
		e.Time = s.opts.Now()
	}
	var err error
	if e.Before, err = redact(e.Before); err != nil {
		return fmt.Errorf("record audit entry: before: %w", err)
	}
	if e.After, err = redact(e.After); err != nil {
		return fmt.Errorf("record audit entry: after: %w", err)
	}
	if _, err := s.st.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("record audit entry: %w", err)
	}
	return nil
}

// List returns the entries at or after since (zero: all), newest first,
// with Seq below before (0: from the newest), at most limit (0:
// DefaultLimit; capped at MaxLimit). The last entry's Seq is
// the next page's before.
func (s *Service) List(ctx context.Context, since time.Time, limit int, before int64) ([]Entry, error) {
	es, err := s.st.Audit(ctx, store.AuditQuery{Since: since, Limit: limit, Before: before})
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return es, nil
}

// Query selects entries for Search (see [store.AuditQuery]).
type Query = store.AuditQuery

// Search returns the entries q selects, newest first: List with the
// until, actor and object filters.
func (s *Service) Search(ctx context.Context, q Query) ([]Entry, error) {
	es, err := s.st.Audit(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return es, nil
}

// Prune deletes the entries older than the retention; none without one.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	if s.opts.Retention <= 0 {
		return 0, nil
	}
	n, err := s.st.PruneAudit(ctx, s.opts.Now().Add(-s.opts.Retention))
	if err != nil {
		return 0, fmt.Errorf("audit retention: %w", err)
	}
	return n, nil
}

// RunRetention prunes now and then every interval until ctx ends, when it
// returns nil; failures are logged and retried at the next tick.
func (s *Service) RunRetention(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.Prune(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("retention: prune audit log", "err", err)
		case n > 0:
			s.log.Info("pruned audit entries past retention", "count", n, "retention", s.opts.Retention)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// secretKeys are the JSON keys whose values are secrets (compared
// without case): the Secret Token, webhook and OAuth client secrets,
// passwords.
var secretKeys = []string{"token", "secret", "secrettoken", "webhooksecret", "clientsecret", "password"}

func isSecretKey(k string) bool {
	for _, s := range secretKeys {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

// redact returns the JSON document b with every non-empty value under a
// secret's key replaced by Redacted; nil stays nil.
func redact(b []byte) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if !redactValue(v) {
		return b, nil
	}
	return json.Marshal(v)
}

// redactValue redacts v in place and reports whether it changed.
func redactValue(v any) bool {
	changed := false
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if isSecretKey(k) && x != nil && x != "" {
				v[k] = Redacted
				changed = true
				continue
			}
			changed = redactValue(x) || changed
		}
	case []any:
		for _, x := range v {
			changed = redactValue(x) || changed
		}
	}
	return changed
}
