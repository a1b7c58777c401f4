package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// JobTokenEnv names the environment variable that may hold the Secret
// Token for `job configure`, so it need not be typed on the command line.
const JobTokenEnv = "PROVISIO_JOB_TOKEN"

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

// jobOut is a job's settings.
type jobOut struct {
	AppID             string   `json:"appId"`
	TenantURL         string   `json:"tenantUrl"`
	TokenSet          bool     `json:"tokenSet"`
	Enabled           bool     `json:"enabled"`
	Scope             string   `json:"scope"`
	Interval          string   `json:"interval"`
	NotificationEmail string   `json:"notificationEmail"`
	Warnings          []string `json:"warnings"`
}

func jobPath(app string) string { return appPath(app) + "/job" }

func newJobCmd(e *env) *cobra.Command {
	cmd, f := adminGroupCmd("job", "Configure and run applications' provisioning jobs",
		`Configure and run provisioning jobs: one per application, keeping its accounts (over
SCIM 2.0) in step with the directory, as Microsoft Entra ID's provisioning service does.

Configure the Tenant URL and Secret Token, check them with "job test", preview with
"job plan", then "job start" to run a cycle every interval or "job run --wait" to run
one now. The first cycle is initial (everything in scope); later ones are incremental
(only what changed). An application is named by its name or id.`)
	cmd.AddCommand(newJobConfigureCmd(e, f), newJobGetCmd(e, f), newJobListCmd(e, f), newJobDeleteCmd(e, f),
		newJobSwitchCmd(e, f, "start", "Switch provisioning on: a cycle every interval"),
		newJobSwitchCmd(e, f, "stop", "Switch provisioning off (cancels a running cycle)"),
		newJobRunCmd(e, f), newJobStatusCmd(e, f), newJobRunsCmd(e, f), newJobLogsCmd(e, f), newJobPlanCmd(e, f),
		newJobRestartCmd(e, f), newJobTestCmd(e, f))
	return cmd
}

func newJobConfigureCmd(e *env, f *clientFlags) *cobra.Command {
	var tenantURL, token, tokenFile, scope, interval, email, mappingsFile string
	cmd := &cobra.Command{
		Use:   "configure APP --tenant-url URL [--token-file FILE] [--scope assigned|all] [--interval D]",
		Short: "Set an application's Tenant URL, Secret Token and provisioning settings",
		Long: `Create or change an application's provisioning job. Settings not given keep their
values (a new job: scope assigned, interval 40m). The job starts stopped: "job start".

The Secret Token comes from --token-file, or $` + JobTokenEnv + `, or --token (which
leaves it in your shell history); it is stored encrypted and never shown again. A
--tenant-url on another scheme, host or port needs the Secret Token again: the stored one
is only ever sent to the host it was given for.
--mappings-file replaces the attribute mappings with a JSON document shaped as
"job get --json" shows them.`,
		Example: `  PROVISIO_JOB_TOKEN=... provisio job configure "Uni-tel Portal" --tenant-url https://scim.example.com/scim/abc/v2
  provisio job configure "Uni-tel Portal" --token-file token.txt --interval 5m --scope all`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := map[string]any{}
			tok, err := jobToken(e, token, tokenFile)
			if err != nil {
				return err
			}
			for k, v := range map[string]string{"tenantUrl": tenantURL, "token": tok, "scope": scope, "interval": interval} {
				if v != "" {
					req[k] = v
				}
			}
			if cmd.Flags().Changed("notification-email") {
				req["notificationEmail"] = email
			}
			if mappingsFile != "" {
				b, err := e.readFile(mappingsFile)
				if err != nil {
					return err
				}
				if !json.Valid(b) {
					return fmt.Errorf("--mappings-file %s is not valid JSON", mappingsFile)
				}
				req["mappings"] = json.RawMessage(b)
			}
			if len(req) == 0 {
				return fmt.Errorf("nothing to configure: give --tenant-url, a token or a setting")
			}
			var raw json.RawMessage
			if err := f.call(cmd, e, "PUT", jobPath(args[0]), req, &raw, "configure job of "+args[0]); err != nil {
				return err
			}
			return printJob(e, f, raw, "Configured the provisioning job of "+args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&tenantURL, "tenant-url", "", "the application's SCIM base URL")
	fl.StringVar(&token, "token", "", "the Secret Token (prefer --token-file or $"+JobTokenEnv+")")
	fl.StringVar(&tokenFile, "token-file", "", "a file holding the Secret Token")
	fl.StringVar(&scope, "scope", "", "assigned (users and groups assigned to the app) or all")
	fl.StringVar(&interval, "interval", "", "time between cycles, e.g. 40m or 30s")
	fl.StringVar(&email, "notification-email", "", "where to send failure notifications (empty clears)")
	fl.StringVar(&mappingsFile, "mappings-file", "", "a JSON file of attribute mappings")
	return cmd
}

// jobToken picks the Secret Token: --token-file, else --token, else
// $PROVISIO_JOB_TOKEN; "" when none is given.
func jobToken(e *env, token, file string) (string, error) {
	if file != "" && token != "" {
		return "", fmt.Errorf("give one of --token and --token-file")
	}
	if file != "" {
		b, err := e.readFile(file)
		if err != nil {
			return "", fmt.Errorf("read --token-file: %w", err)
		}
		if token = strings.TrimSpace(string(b)); token == "" {
			return "", fmt.Errorf("--token-file %s is empty", file)
		}
		return token, nil
	}
	if token != "" {
		return token, nil
	}
	return strings.TrimSpace(e.getenv(JobTokenEnv)), nil
}

func printJob(e *env, f *clientFlags, raw json.RawMessage, title string) error {
	return showRaw(e, f, raw, "job", func(j jobOut) error {
		fmt.Fprintf(e.stdout, "%s.\n\n", title)
		if err := printTable(e.stdout, [][]string{
			{"SETTING", "VALUE"},
			{"tenantUrl", j.TenantURL},
			{"token", map[bool]string{true: "set (hidden)", false: "not set"}[j.TokenSet]},
			{"provisioning", map[bool]string{true: "on", false: "off"}[j.Enabled]},
			{"scope", j.Scope},
			{"interval", j.Interval},
			{"notificationEmail", j.NotificationEmail},
		}); err != nil {
			return err
		}
		for _, w := range j.Warnings {
			fmt.Fprintf(e.stdout, "\nWarning: %s.\n", w)
		}
		return nil
	})
}

func newJobGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get APP",
		Short: "Show a job's settings (with --json: its attribute mappings too)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := f.call(cmd, e, "GET", jobPath(args[0]), nil, &raw, "get job of "+args[0]); err != nil {
				return err
			}
			return printJob(e, f, raw, "Provisioning job of "+args[0])
		},
	}
}

func newJobListCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List provisioning jobs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, e)
			if err != nil {
				return err
			}
			var out struct {
				Jobs []json.RawMessage `json:"jobs"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/jobs", nil, &out); err != nil {
				return fmt.Errorf("list jobs: %w", err)
			}
			if f.asJSON {
				return printJSON(e.stdout, out)
			}
			var apps struct {
				Apps []appOut `json:"apps"`
			}
			if err := c.do(cmd.Context(), "GET", "/api/v1/apps", nil, &apps); err != nil {
				return fmt.Errorf("list apps: %w", err)
			}
			names := map[string]string{}
			for _, a := range apps.Apps {
				names[a.ID] = a.Name
			}
			rows := [][]string{{"APP", "PROVISIONING", "SCOPE", "INTERVAL", "TENANT URL"}}
			for _, raw := range out.Jobs {
				var j jobOut
				if err := json.Unmarshal(raw, &j); err != nil {
					return fmt.Errorf("decode job: %w", err)
				}
				rows = append(rows, []string{names[j.AppID], map[bool]string{true: "on", false: "off"}[j.Enabled], j.Scope, j.Interval, j.TenantURL})
			}
			return printTable(e.stdout, rows)
		},
	}
}

func newJobDeleteCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete APP",
		Short: "Delete a job with its links and logs (the application's accounts stay)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.call(cmd, e, "DELETE", jobPath(args[0]), nil, nil, "delete job of "+args[0]); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]any{"app": args[0], "deleted": true}, fmt.Sprintf("Deleted the provisioning job of %s.\n", args[0]))
		},
	}
}

// newJobSwitchCmd builds start and stop.
func newJobSwitchCmd(e *env, f *clientFlags, name, short string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " APP",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var raw json.RawMessage
			if err := f.call(cmd, e, "POST", jobPath(args[0])+"/"+name, nil, &raw, fmt.Sprintf("%s job of %s", name, args[0])); err != nil {
				return err
			}
			return showRaw(e, f, raw, "job", func(j jobOut) error {
				if j.Enabled {
					_, err := fmt.Fprintf(e.stdout, "Provisioning of %s is on: a cycle every %s.\n", args[0], j.Interval)
					return err
				}
				_, err := fmt.Fprintf(e.stdout, "Provisioning of %s is off.\n", args[0])
				return err
			})
		},
	}
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
		a.err = c.send(cmd.Context(), &http.Client{}, "POST", jobPath(app)+"/runs?wait=true", "", nil, &a.raw)
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

// logsOut is the answer of GET /api/v1/jobs/{app}/logs.
type logsOut struct {
	Entries []logOut `json:"entries"`
}

// planOut is the answer of GET /api/v1/jobs/{app}/plan.
type planOut struct {
	Kind      string         `json:"kind"`
	Unchanged int            `json:"unchanged"`
	Counts    map[string]int `json:"counts"`
	Actions   []logOut       `json:"actions"`
}

// logOut is a provisioning log entry.
type logOut struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	ObjectType string    `json:"objectType"`
	SourceName string    `json:"sourceName"`
	SourceID   string    `json:"sourceId"`
	TargetID   string    `json:"targetId"`
	Action     string    `json:"action"`
	Status     string    `json:"status"`
	Modified   []struct {
		Name string `json:"name"`
		Old  string `json:"old"`
		New  string `json:"new"`
	} `json:"modified"`
	ErrorCode string `json:"errorCode"`
	Reason    string `json:"reason"`
}

func newJobLogsCmd(e *env, f *clientFlags) *cobra.Command {
	var status, action, cycle, objType, object string
	var limit int
	cmd := &cobra.Command{
		Use:   "logs APP [--status S] [--action A] [--cycle ID] [--object NAME]",
		Short: "Show a job's provisioning logs, newest first",
		Long: `Show the provisioning logs: one entry per object action with its status, what changed
(old → new) and, for failures, the error. Filter by --status (success, failure, skipped,
warning), --action (create, update, disable, delete, skip), --type (User, Group),
--cycle, or --object (a source id, target id, userPrincipalName or displayName).`,
		Example: `  provisio job logs "Uni-tel Portal" --status failure
  provisio job logs "Uni-tel Portal" --object alice@contoso.com --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			for k, v := range map[string]string{"status": status, "action": action, "cycle": cycle, "type": objType, "object": object} {
				if v != "" {
					q.Set(k, v)
				}
			}
			var raw json.RawMessage
			if err := f.call(cmd, e, "GET", jobPath(args[0])+"/logs?"+q.Encode(), nil, &raw, "logs of "+args[0]); err != nil {
				return err
			}
			return showRaw(e, f, raw, "logs", func(out logsOut) error {
				rows := [][]string{{"TIME", "ACTION", "STATUS", "TYPE", "OBJECT", "TARGET ID", "DETAIL"}}
				for _, l := range out.Entries {
					name := l.SourceName
					if name == "" {
						name = l.SourceID
					}
					rows = append(rows, []string{l.Time.Local().Format(time.DateTime), l.Action, l.Status, l.ObjectType, name, l.TargetID, logDetail(l)})
				}
				return printTable(e.stdout, rows)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "only entries with this status: success, failure, skipped or warning")
	fl.StringVar(&action, "action", "", "only entries of this action: create, update, disable, delete or skip")
	fl.StringVar(&cycle, "cycle", "", "only entries of this cycle id")
	fl.StringVar(&objType, "type", "", "only entries of this object type: User or Group")
	fl.StringVar(&object, "object", "", "only entries of this object (source id, target id or name)")
	fl.IntVar(&limit, "limit", 100, "at most this many entries (up to 10000)")
	return cmd
}

// logDetail is the DETAIL column: the error, else the changes, else the
// reason.
func logDetail(l logOut) string {
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
			var raw json.RawMessage
			if err := f.call(cmd, e, "GET", jobPath(args[0])+"/plan", nil, &raw, "plan of "+args[0]); err != nil {
				return err
			}
			return showRaw(e, f, raw, "plan", func(p planOut) error {
				fmt.Fprintf(e.stdout, "The next cycle of %s is %s: %d to create, %d to update, %d to disable, %d to delete, %d skipped, %d unchanged.\n",
					args[0], p.Kind, p.Counts["create"], p.Counts["update"], p.Counts["disable"], p.Counts["delete"], p.Counts["skip"], p.Unchanged)
				if len(p.Actions) == 0 {
					return nil
				}
				fmt.Fprintln(e.stdout)
				rows := [][]string{{"ACTION", "TYPE", "OBJECT", "TARGET ID", "DETAIL"}}
				for _, a := range p.Actions {
					name := a.SourceName
					if name == "" {
						name = a.SourceID
					}
					rows = append(rows, []string{a.Action, a.ObjectType, name, a.TargetID, logDetail(a)})
				}
				return printTable(e.stdout, rows)
			})
		},
	}
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

func newJobTestCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "test APP",
		Short: "Test the job's Tenant URL and Secret Token (Entra's Test Connection)",
		Long: `Test Connection as Microsoft Entra ID does it: query the application's Users for a
random GUID on the matching attribute, expecting an empty SCIM ListResponse. A failure
says precisely what is wrong: unreachable host, TLS, timeout, token refused (401/403),
no Users endpoint (404), not a SCIM answer, or filters ignored.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var res struct {
				OK      bool   `json:"ok"`
				Reason  string `json:"reason"`
				Message string `json:"message"`
			}
			if err := f.call(cmd, e, "POST", jobPath(args[0])+"/test", nil, &res, "test connection of "+args[0]); err != nil {
				return err
			}
			if f.asJSON {
				if err := printJSON(e.stdout, res); err != nil {
					return err
				}
			} else if res.OK {
				fmt.Fprintf(e.stdout, "Test Connection of %s succeeded: %s.\n", args[0], res.Message)
			}
			if !res.OK {
				return fmt.Errorf("test connection of %s failed (%s): %s", args[0], res.Reason, res.Message)
			}
			return nil
		},
	}
}
