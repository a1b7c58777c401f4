package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newJobReconcileCmd(e *env, f *clientFlags) *cobra.Command {
	var repair bool
	cmd := &cobra.Command{
		Use:   "reconcile APP [--repair]",
		Short: "Compare the application's accounts with what the job wrote (drift, orphans, gone accounts)",
		Long: `Read the application's users and groups (paged listing) and compare them with the job's
links: attributes that drifted from the values the job last wrote, group members added or
removed in the application, accounts no link knows (orphans) and links whose account is
gone. Microsoft Entra ID never looks.

Every finding is also a provisioning log entry ("reconcile: ...") under a cycle of kind
reconcile ("job runs", "job logs --cycle ID"). With --repair, drifted values and
memberships are PATCHed back and the links of gone accounts are dropped, so the next cycle
creates them again; orphans are only reported, never deleted. It takes the job's lock like
a cycle (job_busy while one runs) and works while the job is stopped.`,
		Example: `  provisio job reconcile "Uni-tel Portal"
  provisio job reconcile "Uni-tel Portal" --repair --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := run(cmd, e, f, "reconcile "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Reconciliation, error) {
				return c.Reconcile(ctx, args[0], repair)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, res)
			}
			fmt.Fprintf(e.stdout, "Compared %d accounts with %d links (cycle %s): %d findings.\n",
				res.Accounts, res.Linked, res.CycleID, len(res.Findings))
			if res.Unchecked > 0 {
				fmt.Fprintf(e.stdout, "%d links remember no written values; their attributes were not compared.\n", res.Unchecked)
			}
			if len(res.Findings) == 0 {
				return nil
			}
			rows := [][]string{{"FINDING", "TYPE", "ACCOUNT", "SOURCE", "DETAIL", "REPAIRED"}}
			for _, x := range res.Findings {
				repaired := "no"
				switch {
				case x.Error != "":
					repaired = "failed: " + x.Error
				case x.Repaired:
					repaired = "yes"
				}
				rows = append(rows, []string{x.Kind, x.Type, cmp.Or(x.TargetName, x.TargetID), cmp.Or(x.SourceID, "-"),
					findingDetail(x), repaired})
			}
			return printTable(e.stdout, rows)
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "put drifted values and memberships back; drop the links of gone accounts")
	return cmd
}

// findingDetail is a finding's detail column: old → new per attribute,
// the members added and removed.
func findingDetail(x apitypes.Finding) string {
	switch x.Kind {
	case "members":
		return fmt.Sprintf("%d added in the app, %d removed in the app", len(x.Added), len(x.Removed))
	case "orphan":
		return "no link knows it"
	case "gone":
		return "no longer in the application"
	}
	parts := make([]string, len(x.Modified))
	for i, m := range x.Modified {
		parts[i] = fmt.Sprintf("%s: %q → %q", m.Name, m.Old, m.New)
	}
	return strings.Join(parts, "; ")
}
