package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/cobra"
)

func newJobLogsCmd(e *env, f *clientFlags) *cobra.Command {
	var status, action, cycle, change, objType, object, since, until, format string
	var limit int
	cmd := &cobra.Command{
		Use:   "logs APP [--since D] [--until D] [--status S] [--action A] [--cycle ID] [--change-id ID] [--object NAME] [--format csv|json]",
		Short: "Show or export a job's provisioning logs, newest first",
		Long: `Show the provisioning logs: one entry per object action with its status, what changed
(old → new) and, for failures, the error. Filter by --since and --until (an age such as
24h or 7d, or an RFC 3339 time; since is inclusive, until exclusive), --status (success,
failure, skipped, warning, staged), --action (create, update, disable, delete, skip),
--type (User, Group), --cycle, --change-id, or --object (a source id, target id,
userPrincipalName or displayName).

--format exports every matching entry, not one page: csv (Entra's download columns,
RFC 4180 quoting; a cell starting with =, +, -, @ gets a leading ' so spreadsheets do
not run it as a formula) or json (JSON Lines: one entry per line). Entries are kept
for serve's --log-retention (default 30 days, as Entra).`,
		Example: `  provisio job logs "Uni-tel Portal" --status failure
  provisio job logs "Uni-tel Portal" --object alice@contoso.com --json
  provisio job logs "Uni-tel Portal" --since 24h --format csv > logs.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now := time.Now()
			from, err := parseWhen(since, now)
			if err != nil {
				return fmt.Errorf("--since: %w", err)
			}
			to, err := parseWhen(until, now)
			if err != nil {
				return fmt.Errorf("--until: %w", err)
			}
			lq := apiclient.LogQuery{Status: status, Action: action, Cycle: cycle, Change: change, Type: objType, Object: object,
				Since: from, Until: to, Limit: limit}
			if format != "" {
				return exportLogs(cmd, e, f, args[0], lq, format)
			}
			out, err := run(cmd, e, f, "logs of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.LogPage, error) {
				return c.Logs(ctx, args[0], lq)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"TIME", "ACTION", "STATUS", "TYPE", "OBJECT", "TARGET ID", "DETAIL"}}
			for _, l := range out.Entries {
				rows = append(rows, []string{l.Time.Local().Format(time.DateTime), l.Action, l.Status, l.ObjectType,
					cmp.Or(l.SourceName, l.SourceID), l.TargetID, logDetail(l)})
			}
			return printTable(e.stdout, rows)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "only entries with this status: success, failure, skipped or warning")
	fl.StringVar(&action, "action", "", "only entries of this action: create, update, disable, delete or skip")
	fl.StringVar(&cycle, "cycle", "", "only entries of this cycle id")
	fl.StringVar(&change, "change-id", "", "only the entry of this change id")
	fl.StringVar(&since, "since", "", "only entries at or after this time: an age (24h, 7d) or an RFC 3339 time")
	fl.StringVar(&until, "until", "", "only entries before this time: an age (24h, 7d) or an RFC 3339 time")
	fl.StringVar(&format, "format", "", "export every matching entry as csv or json (JSON Lines) instead of a page")
	fl.StringVar(&objType, "type", "", "only entries of this object type: User or Group")
	fl.StringVar(&object, "object", "", "only entries of this object (source id, target id or name)")
	fl.IntVar(&limit, "limit", 100, "at most this many entries (up to 10000); with --format, the size of each page read")
	return cmd
}

// exportLogs writes every entry lq selects in format, reading the API page
// by page (--limit entries each when given, else 1000).
func exportLogs(cmd *cobra.Command, e *env, f *clientFlags, app string, lq apiclient.LogQuery, format string) error {
	x, err := newLogExporter(e.stdout, format)
	if err != nil {
		return err
	}
	if !cmd.Flags().Changed("limit") {
		lq.Limit = 1000
	}
	err = runErr(cmd, e, f, "logs of "+app, func(ctx context.Context, c *apiclient.Client) error {
		return c.EachLog(ctx, app, lq, x.Write)
	})
	return errors.Join(err, x.Flush())
}

// logDetail is the DETAIL column: the error, else the changes, else the
// reason.
func logDetail(l apitypes.LogEntry) string {
	if l.ErrorCode != "" || l.Status == "failure" {
		return strings.TrimSpace(l.ErrorCode + " " + l.Reason)
	}
	if len(l.Modified) > 0 {
		parts := make([]string, len(l.Modified))
		for i, m := range l.Modified {
			parts[i] = fmt.Sprintf("%s: %q → %q", m.Name, m.Old, m.New)
		}
		return strings.Join(parts, "; ")
	}
	return l.Reason
}

func newJobPlanCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "plan APP",
		Short: "Show what the next cycle would do, without writing anything",
		Long: `Compute the next cycle's plan — create, update (with the attributes that differ),
disable, delete, or skip with a reason, per object — without writing anything to the
application, the links or the logs. It does query the application to match objects
not linked yet.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := run(cmd, e, f, "plan of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Plan, error) {
				return c.Plan(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, p)
			}
			fmt.Fprintf(e.stdout, "The next cycle of %s is %s: %d to create, %d to update, %d to disable, %d to delete, %d skipped, %d unchanged.\n",
				args[0], p.Kind, p.Counts["create"], p.Counts["update"], p.Counts["disable"], p.Counts["delete"], p.Counts["skip"], p.Unchanged)
			if len(p.Actions) == 0 {
				return nil
			}
			fmt.Fprintln(e.stdout)
			rows := [][]string{{"ACTION", "TYPE", "OBJECT", "TARGET ID", "DETAIL"}}
			for _, a := range p.Actions {
				rows = append(rows, []string{a.Action, a.ObjectType, cmp.Or(a.SourceName, a.SourceID), a.TargetID,
					logDetail(apitypes.LogEntry{Modified: a.Modified, Reason: a.Reason})})
			}
			return printTable(e.stdout, rows)
		},
	}
}
