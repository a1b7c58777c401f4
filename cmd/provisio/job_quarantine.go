package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/cobra"
)

// newJobQuarantineCmds are the commands of quarantine and the deletion
// threshold: clear-quarantine, staged, allow-deletes.
func newJobQuarantineCmds(e *env, f *clientFlags) []*cobra.Command {
	return []*cobra.Command{newJobClearQuarantineCmd(e, f), newJobStagedCmd(e, f), newJobAllowDeletesCmd(e, f)}
}

// quarantineLine says in one line why and until when a job is quarantined.
func quarantineLine(q *apitypes.Quarantine) string {
	s := fmt.Sprintf("%s since %s; next attempt %s", q.Reason, q.Since.Local().Format(time.DateTime), q.NextAttempt.Local().Format(time.DateTime))
	if q.Detail != "" {
		s += " (" + q.Detail + ")"
	}
	return s
}

func newJobClearQuarantineCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "clear-quarantine APP",
		Short: "End a job's quarantine now (its next cycle runs at once)",
		Long: `End the job's quarantine at once instead of waiting for its next attempt: a job that is
on runs its next cycle now. A job also leaves quarantine by itself when a cycle succeeds
(a manual "job run" runs while quarantined). Clearing does not lift the deletion
threshold: to send staged disables and deletes, use "job allow-deletes".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := run(cmd, e, f, "clear quarantine of job of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.JobStatus, error) {
				return c.ClearQuarantine(ctx, args[0])
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, st, fmt.Sprintf("The job of %s is not quarantined.\n", args[0]))
		},
	}
}

func newJobStagedCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "staged APP",
		Short: "List the disables and deletes the deletion threshold staged",
		Long: `List the disables and deletes the job's last cycle staged because they were over its
deletion threshold ("job configure --deletion-threshold"): logged with status staged, not
sent ("job logs --status staged" shows them too). Then either "job allow-deletes" lets
the next cycle send them, once, or fix the directory: the next cycle no longer plans them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := run(cmd, e, f, "list staged deletions of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.StagedList, error) {
				return c.Staged(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				l.Staged = nonNil(l.Staged)
				return printJSON(e.stdout, l)
			}
			return printStaged(e.stdout, args[0], l)
		},
	}
}

func printStaged(w io.Writer, app string, l apitypes.StagedList) error {
	if len(l.Staged) == 0 {
		_, err := fmt.Fprintf(w, "Nothing staged for %s.\n", app)
		return err
	}
	rows := [][]string{{"OBJECT", "TYPE", "ACTION", "REASON"}}
	for _, s := range l.Staged {
		name := s.SourceName
		if name == "" {
			name = s.SourceID
		}
		rows = append(rows, []string{name, s.ObjectType, s.Action, s.Reason})
	}
	if err := printTable(w, rows); err != nil {
		return err
	}
	next := `"job allow-deletes ` + app + `" lets the next cycle send them, or fix the directory.`
	if l.Allowed {
		next = "The next cycle sends them (allow-deletes is set)."
	}
	_, err := fmt.Fprintf(w, "\n%d staged, not sent. %s\n", len(l.Staged), next)
	return err
}

func newJobAllowDeletesCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "allow-deletes APP",
		Short: "Let the next cycle send the staged disables and deletes, once",
		Long: `Let the job's next cycle send the disables and deletes its deletion threshold staged
(Entra's "Allow deletes"); a quarantined job's next cycle is due at once. One-shot: the
cycle after it applies the threshold again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := run(cmd, e, f, "allow deletes of job of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.StagedList, error) {
				return c.AllowDeletes(ctx, args[0])
			})
			if err != nil {
				return err
			}
			l.Staged = nonNil(l.Staged)
			return printJSONOr(e, f, l, fmt.Sprintf("The next cycle of %s sends the %d staged disables and deletes.\n", args[0], len(l.Staged)))
		},
	}
}
