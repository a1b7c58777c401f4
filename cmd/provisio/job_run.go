package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/cobra"
)

// statsLine says in one line what a cycle did.
func statsLine(s apitypes.Stats) string {
	line := fmt.Sprintf("created %d, updated %d, disabled %d, deleted %d, matched %d, skipped %d, unchanged %d, failed %d",
		s.Created, s.Updated, s.Disabled, s.Deleted, s.Matched, s.Skipped, s.Unchanged, s.Failed)
	if s.Staged > 0 {
		line += fmt.Sprintf(", staged %d", s.Staged)
	}
	return line + fmt.Sprintf("; %d requests", s.Requests)
}

// statusPoll is how often `job run --wait` reads the progress.
const statusPoll = 250 * time.Millisecond

func newJobRunCmd(e *env, f *clientFlags) *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use:   "run APP [--wait]",
		Short: "Run a provisioning cycle now",
		Long: `Run a provisioning cycle of the application's job now (or join the one running).
With --wait, show its progress, then print what it did; the command fails if the cycle
ended early or any object failed (see "job logs APP --status failure").`,
		Example: `  provisio job run "Uni-tel Portal" --wait`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			if !wait {
				st, err := c.RunJob(cmd.Context(), args[0])
				if err != nil {
					return fmt.Errorf("run job of %s: %w", args[0], err)
				}
				if f.asJSON {
					return printJSON(e.stdout, st)
				}
				if st.State == "queued" {
					_, err = fmt.Fprintf(e.stdout, "Queued a cycle of %s: every cycle slot of the server is taken (--max-concurrent-cycles); "+
						"it starts when one frees. Follow it with \"provisio job status %s\".\n", args[0], args[0])
					return err
				}
				_, err = fmt.Fprintf(e.stdout, "Started a cycle of %s; follow it with \"provisio job status %s\".\n", args[0], args[0])
				return err
			}
			return runAndWait(cmd, e, f, c, args[0])
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the cycle, showing its progress, and print its statistics")
	return cmd
}

// runAndWait runs a cycle with ?wait=true while polling the job's status
// for the progress bar.
func runAndWait(cmd *cobra.Command, e *env, f *clientFlags, c *apiclient.Client, app string) error {
	type answer struct {
		cyc apitypes.Cycle
		err error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		// No overall timeout: a cycle takes what it takes; Ctrl-C ends the wait.
		a.cyc, a.err = c.RunJobWait(cmd.Context(), app)
		done <- a
	}()
	bar := newProgress(e, -1, "provisioning "+app, false)
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	var res answer
wait:
	for {
		select {
		case res = <-done:
			break wait
		case <-tick.C:
			st, err := c.JobStatus(cmd.Context(), app)
			switch {
			case err != nil:
			case st.State == "queued":
				bar.Describe(fmt.Sprintf("%s: queued for a cycle slot", app))
			case st.Progress != nil:
				bar.Describe(fmt.Sprintf("%s cycle of %s", st.Progress.Kind, app))
				_ = bar.Set64(st.Progress.Processed)
			}
		}
	}
	_ = bar.Finish()
	if res.err != nil {
		return fmt.Errorf("run job of %s: %w", app, res.err)
	}
	cyc := res.cyc
	var err error
	if f.asJSON {
		err = printJSON(e.stdout, cyc)
	} else {
		err = printCycle(e.stdout, app, cyc)
	}
	switch {
	case err != nil:
		return err
	case cyc.Error != "":
		return fmt.Errorf("the %s cycle of %s ended early: %s", cyc.Kind, app, cyc.Error)
	case cyc.Stats.Failed > 0:
		return fmt.Errorf("%d objects failed; see \"provisio job logs %s --status failure\"", cyc.Stats.Failed, app)
	}
	return nil
}

func printCycle(w io.Writer, app string, cyc apitypes.Cycle) error {
	fmt.Fprintf(w, "The %s cycle of %s took %s (cycle %s).\n\n", cyc.Kind, app, cyc.Finished.Sub(cyc.Started).Round(time.Millisecond), cyc.ID)
	s := cyc.Stats
	rows := [][]string{
		{"RESULT", "OBJECTS"},
		{"created", strconv.FormatInt(s.Created, 10)},
		{"updated", strconv.FormatInt(s.Updated, 10)},
		{"disabled", strconv.FormatInt(s.Disabled, 10)},
		{"deleted", strconv.FormatInt(s.Deleted, 10)},
		{"matched", strconv.FormatInt(s.Matched, 10)},
		{"skipped", strconv.FormatInt(s.Skipped, 10)},
		{"unchanged", strconv.FormatInt(s.Unchanged, 10)},
		{"failed", strconv.FormatInt(s.Failed, 10)},
	}
	if s.Staged > 0 { // held back by the deletion threshold: "job staged"
		rows = append(rows, []string{"staged (not sent)", strconv.FormatInt(s.Staged, 10)})
	}
	return printTable(w, append(rows, []string{"requests sent", strconv.FormatInt(s.Requests, 10)}))
}

func newJobStatusCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status APP",
		Short: "Show a job's state, running cycle, managed objects and last cycle",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := run(cmd, e, f, "status of job of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.JobStatus, error) {
				return c.JobStatus(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, st)
			}
			return printStatus(e.stdout, st)
		},
	}
}

func printStatus(w io.Writer, st apitypes.JobStatus) error {
	rows := [][]string{{"STATE", st.State}, {"NEXT CYCLE", st.CycleKind}}
	if !st.NextRun.IsZero() && st.Progress == nil {
		rows[1][1] += " at " + st.NextRun.Local().Format(time.DateTime)
	}
	if p := st.Progress; p != nil {
		rows = append(rows, []string{"RUNNING", fmt.Sprintf("%s cycle, %d objects so far (%s)", p.Kind, p.Processed, statsLine(p.Counts))})
	}
	if q := st.Quarantine; q != nil {
		rows = append(rows, []string{"QUARANTINED", quarantineLine(q)})
	}
	l := st.Links
	rows = append(rows, []string{"MANAGED", fmt.Sprintf("%d users, %d groups (%d disabled, %d pending, %d awaiting retry)", l.Users, l.Groups, l.Disabled, l.Pending, l.Failed)})
	if lc := st.LastCycle; lc != nil {
		last := fmt.Sprintf("%s, finished %s: %s", lc.Kind, lc.Finished.Local().Format(time.DateTime), statsLine(lc.Stats))
		if lc.Error != "" {
			last += "; ended early: " + lc.Error
		}
		rows = append(rows, []string{"LAST CYCLE", last})
	}
	if st.Throttle != nil {
		rows = append(rows, []string{"THROTTLE", throttleLine(st.Throttle)})
	}
	if err := printTable(w, rows); err != nil {
		return err
	}
	printWarnings(w, st.Warnings)
	return nil
}

func newJobRunsCmd(e *env, f *clientFlags) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "runs APP",
		Short: "List a job's recent cycles, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			runs, err := run(cmd, e, f, "list cycles of "+args[0], func(ctx context.Context, c *apiclient.Client) ([]apitypes.Cycle, error) {
				return c.Runs(ctx, args[0], limit)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.CycleList{Runs: nonNil(runs)})
			}
			rows := [][]string{{"STARTED", "KIND", "DURATION", "RESULT", "CYCLE"}}
			for _, r := range runs {
				result := statsLine(r.Stats)
				if r.Error != "" {
					result = "ended early: " + r.Error
				}
				rows = append(rows, []string{r.Started.Local().Format(time.DateTime), r.Kind, r.Finished.Sub(r.Started).Round(time.Millisecond).String(), result, r.ID})
			}
			return printTable(e.stdout, rows)
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "at most this many cycles")
	return cmd
}

func newJobRestartCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "restart APP",
		Short: "Make the next cycle an initial cycle (links are kept)",
		Long: `Clear the job's watermark so its next cycle is initial: it evaluates every object in
scope again instead of only what changed. Links to objects already provisioned are kept,
so nothing is created twice (Entra's "restart provisioning").`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := run(cmd, e, f, "restart job of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.JobStatus, error) {
				return c.RestartJob(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, st)
			}
			_, err = fmt.Fprintf(e.stdout, "The next cycle of %s will be an initial cycle.\n", args[0])
			return err
		},
	}
}
