package main

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newJobEscrowsCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "escrows APP",
		Short: "List the objects whose action failed and waits for a retry",
		Long: `List the job's escrows: objects whose action still failed after the retries within the
cycle (Entra's escrows), one row each with the action, the consecutive failures, the last
error and when a cycle retries it next (1 minute after a failure, doubling up to 1 hour).
"job retry APP" retries them now.`,
		Example: `  provisio job escrows "Uni-tel Portal"
  provisio job escrows "Uni-tel Portal" --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			es, err := run(cmd, e, f, "list escrows of "+args[0], func(ctx context.Context, c *apiclient.Client) ([]apitypes.Escrow, error) {
				return c.Escrows(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.EscrowList{Escrows: nonNil(es)})
			}
			if len(es) == 0 {
				_, err := fmt.Fprintf(e.stdout, "No object of %s is in escrow.\n", args[0])
				return err
			}
			rows := [][]string{{"OBJECT", "TYPE", "ACTION", "ATTEMPTS", "NEXT RETRY", "LAST ERROR"}}
			for _, x := range es {
				next := "now"
				if x.NextRetry.After(time.Now()) {
					next = x.NextRetry.Local().Format(time.DateTime)
				}
				rows = append(rows, []string{cmp.Or(x.SourceName, x.SourceID), x.ObjectType, cmp.Or(x.Action, "?"),
					strconv.Itoa(x.Attempts), next, x.LastError})
			}
			return printTable(e.stdout, rows)
		},
	}
}

func newJobRetryCmd(e *env, f *clientFlags) *cobra.Command {
	var object string
	var wait bool
	cmd := &cobra.Command{
		Use:   "retry APP [--object NAME] [--wait]",
		Short: "Retry the objects in escrow now",
		Long: `Make the job's escrows due now — all of them, or with --object the one object named by
its userPrincipalName, displayName, object id or target id — and start a cycle that
retries them. When a cycle is running already, the next cycle retries them. With --wait,
wait for the cycle and print what it did, as "job run --wait" does.`,
		Example: `  provisio job retry "Uni-tel Portal"
  provisio job retry "Uni-tel Portal" --object alice@contoso.com --wait`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			res, err := c.RetryEscrows(cmd.Context(), args[0], object)
			if err != nil {
				return fmt.Errorf("retry escrows of %s: %w", args[0], err)
			}
			if wait && res.Started {
				return runAndWait(cmd, e, f, c, args[0])
			}
			if f.asJSON {
				return printJSON(e.stdout, res)
			}
			switch {
			case res.Due == 0:
				_, err = fmt.Fprintf(e.stdout, "No object of %s is in escrow.\n", args[0])
			case res.Started:
				_, err = fmt.Fprintf(e.stdout, "Retrying %d objects of %s in a cycle started now; follow it with \"provisio job status %s\".\n",
					res.Due, args[0], args[0])
			default:
				_, err = fmt.Fprintf(e.stdout, "Made %d objects of %s due; a cycle is running, so the next cycle retries them.\n", res.Due, args[0])
			}
			return err
		},
	}
	cmd.Flags().StringVar(&object, "object", "", "retry only this object: userPrincipalName, displayName, object id or target id")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the cycle and print its statistics")
	return cmd
}
