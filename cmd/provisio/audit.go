package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// auditPage is the most entries one request of `provisio audit` asks for
// (the API's maximum).
const auditPage = 1000

func newAuditCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("audit", "Show the audit log of administrative changes, newest first",
		`Show who changed what and when through the admin API: every change that took effect
(tenants and their tokens, admin tokens, users, groups, apps, assignments, provisioning
jobs, their mappings and scoping filters), with the name of the admin token that made it.
For a job's settings, mappings and scoping, --json shows the job before and after the
change (secrets are never recorded). Reads and refused requests are not in it. Entries
are kept for a year.

--since takes a duration back from now (24h, 90m, 7d) or an RFC 3339 time.`)
	var since string
	var limit int
	cmd.Use = "audit [--since D] [--limit N] [--json]"
	cmd.Example = `  provisio audit --since 24h
  provisio audit --since 2026-03-01T00:00:00Z --json`
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		from, err := parseSince(since, time.Now())
		if err != nil {
			return fmt.Errorf("--since: %w", err)
		}
		if limit < 1 {
			return fmt.Errorf("--limit: %d is not a number of entries of at least 1", limit)
		}
		entries, err := run(cmd, e, f, "audit", func(ctx context.Context, c *apiclient.Client) ([]apitypes.AuditEntry, error) {
			return auditEntries(ctx, c, from, limit)
		})
		if err != nil {
			return err
		}
		if f.asJSON {
			return printJSON(e.stdout, apitypes.AuditPage{Entries: entries})
		}
		rows := [][]string{{"TIME", "ACTOR", "CHANGE", "OBJECT", "ID"}}
		for _, a := range entries {
			rows = append(rows, []string{a.Time.Local().Format(time.DateTime), a.Actor, a.Method + " " + a.Path, a.Object, a.ObjectID})
		}
		return printTable(e.stdout, rows)
	}
	fl := cmd.Flags()
	fl.StringVar(&since, "since", "", "only changes since then: a duration back from now (24h, 7d) or an RFC 3339 time")
	fl.IntVar(&limit, "limit", 100, "at most this many entries, newest first")
	return cmd
}

// auditEntries reads up to limit entries since from, newest first, page
// by page.
func auditEntries(ctx context.Context, c *apiclient.Client, from time.Time, limit int) ([]apitypes.AuditEntry, error) {
	entries := []apitypes.AuditEntry{}
	q := apiclient.AuditQuery{Since: from}
	for len(entries) < limit {
		q.Limit = min(limit-len(entries), auditPage)
		p, err := c.Audit(ctx, q)
		if err != nil {
			return nil, err
		}
		entries = append(entries, p.Entries...)
		if p.Next == "" {
			break
		}
		q.Before = p.Next
	}
	return entries, nil
}

// parseSince reads --since: "" is the beginning, an RFC 3339 time is
// itself, a duration (Go's, or whole days as 7d) is that long before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("%q is not a duration such as 24h or 7d, nor an RFC 3339 time", s)
	}
	return now.Add(-d), nil
}
