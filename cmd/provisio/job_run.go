package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"
)

// statsOut counts what a cycle did.
type statsOut struct {
	Created   int64 `json:"created"`
	Updated   int64 `json:"updated"`
	Disabled  int64 `json:"disabled"`
	Deleted   int64 `json:"deleted"`
	Skipped   int64 `json:"skipped"`
	Unchanged int64 `json:"unchanged"`
	Failed    int64 `json:"failed"`
	Requests  int64 `json:"requests"`
}

func (s statsOut) String() string {
	return fmt.Sprintf("created %d, updated %d, disabled %d, deleted %d, skipped %d, unchanged %d, failed %d; %d requests",
		s.Created, s.Updated, s.Disabled, s.Deleted, s.Skipped, s.Unchanged, s.Failed, s.Requests)
}

// cycleOut is a cycle's summary.
type cycleOut struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Stats    statsOut  `json:"stats"`
	Error    string    `json:"error"`
}

// statusOut is a job's status.
type statusOut struct {
	AppID     string `json:"appId"`
	State     string `json:"state"`
	Enabled   bool   `json:"enabled"`
	CycleKind string `json:"cycleKind"`
	Progress  *struct {
		CycleID   string   `json:"cycleId"`
		Kind      string   `json:"kind"`
		Processed int64    `json:"processed"`
		Counts    statsOut `json:"counts"`
	} `json:"progress"`
	NextRun time.Time `json:"nextRun"`
	Links   struct {
		Users, Groups, Disabled, Pending, Failed int
	} `json:"links"`
	LastCycle *cycleOut `json:"lastCycle"`
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
				var raw json.RawMessage
				if err := c.do(cmd.Context(), "POST", jobPath(args[0])+"/runs", nil, &raw); err != nil {
					return fmt.Errorf("run job of %s: %w", args[0], err)
				}
				if f.asJSON {
					return printRaw(e.stdout, raw)
				}
				var st statusOut
				if json.Unmarshal(raw, &st) == nil && st.State == "queued" {
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
func runAndWait(cmd *cobra.Command, e *env, f *clientFlags, c *apiClient, app string) error {
	type answer struct {
		raw json.RawMessage
		err error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		// No overall timeout: a cycle takes what it takes; Ctrl-C ends the wait.
		a.err = c.send(cmd.Context(), c.stream, "POST", jobPath(app)+"/runs?wait=true", "", nil, &a.raw)
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
			var st statusOut
			switch {
			case c.do(cmd.Context(), "GET", jobPath(app)+"/status", nil, &st) != nil:
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
	var cyc cycleOut
	if err := json.Unmarshal(res.raw, &cyc); err != nil {
		return fmt.Errorf("decode cycle: %w", err)
	}
	var err error
	if f.asJSON {
		err = printRaw(e.stdout, res.raw)
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

func printCycle(w io.Writer, app string, cyc cycleOut) error {
	fmt.Fprintf(w, "The %s cycle of %s took %s (cycle %s).\n\n", cyc.Kind, app, cyc.Finished.Sub(cyc.Started).Round(time.Millisecond), cyc.ID)
	s := cyc.Stats
	return printTable(w, [][]string{
		{"RESULT", "OBJECTS"},
		{"created", strconv.FormatInt(s.Created, 10)},
		{"updated", strconv.FormatInt(s.Updated, 10)},
		{"disabled", strconv.FormatInt(s.Disabled, 10)},
		{"deleted", strconv.FormatInt(s.Deleted, 10)},
		{"skipped", strconv.FormatInt(s.Skipped, 10)},
		{"unchanged", strconv.FormatInt(s.Unchanged, 10)},
		{"failed", strconv.FormatInt(s.Failed, 10)},
		{"requests sent", strconv.FormatInt(s.Requests, 10)},
	})
}

func newJobStatusCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "status APP",
		Short: "Show a job's state, running cycle, managed objects and last cycle",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := f.call(cmd, e, "GET", jobPath(args[0])+"/status", nil, &raw, "status of job of "+args[0]); err != nil {
				return err
			}
			return showRaw(e, f, raw, "status", func(st statusOut) error {
				return printStatus(e.stdout, st)
			})
		},
	}
}

func printStatus(w io.Writer, st statusOut) error {
	rows := [][]string{{"STATE", st.State}, {"NEXT CYCLE", st.CycleKind}}
	if !st.NextRun.IsZero() && st.Progress == nil {
		rows[1][1] += " at " + st.NextRun.Local().Format(time.DateTime)
	}
	if p := st.Progress; p != nil {
		rows = append(rows, []string{"RUNNING", fmt.Sprintf("%s cycle, %d objects so far (%s)", p.Kind, p.Processed, p.Counts)})
	}
	l := st.Links
	rows = append(rows, []string{"MANAGED", fmt.Sprintf("%d users, %d groups (%d disabled, %d pending, %d awaiting retry)", l.Users, l.Groups, l.Disabled, l.Pending, l.Failed)})
	if lc := st.LastCycle; lc != nil {
		last := fmt.Sprintf("%s, finished %s: %s", lc.Kind, lc.Finished.Local().Format(time.DateTime), lc.Stats)
		if lc.Error != "" {
			last += "; ended early: " + lc.Error
		}
		rows = append(rows, []string{"LAST CYCLE", last})
	}
	return printTable(w, rows)
}

func newJobRunsCmd(e *env, f *clientFlags) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "runs APP",
		Short: "List a job's recent cycles, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var out struct {
				Runs []cycleOut `json:"runs"`
			}
			if err := f.call(cmd, e, "GET", jobPath(args[0])+"/runs?limit="+strconv.Itoa(limit), nil, &out, "list cycles of "+args[0]); err != nil {
				return err
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			rows := [][]string{{"STARTED", "KIND", "DURATION", "RESULT", "CYCLE"}}
			for _, r := range out.Runs {
				result := r.Stats.String()
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
			var raw json.RawMessage
			if err := f.call(cmd, e, "POST", jobPath(args[0])+"/restart", nil, &raw, "restart job of "+args[0]); err != nil {
				return err
			}
			if f.asJSON {
				return printRaw(e.stdout, raw)
			}
			_, err := fmt.Fprintf(e.stdout, "The next cycle of %s will be an initial cycle.\n", args[0])
			return err
		},
	}
}
