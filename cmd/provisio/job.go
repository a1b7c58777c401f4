package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/spf13/cobra"
)

// JobTokenEnv names the environment variable that may hold the Secret
// Token for `job configure`, so it need not be typed on the command line.
const JobTokenEnv = "PROVISIO_JOB_TOKEN"

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
		newJobRunCmd(e, f), newJobStatusCmd(e, f), newJobRunsCmd(e, f), newJobLogsCmd(e, f), newJobPlanCmd(e, f), newJobPreviewCmd(e, f),
		newJobProvisionCmd(e, f), newJobReconcileCmd(e, f),
		newJobRestartCmd(e, f), newJobTestCmd(e, f))
	cmd.AddCommand(newJobMappingCmd(e, f), newJobScopingCmd(e, f))
	cmd.AddCommand(newJobEscrowsCmd(e, f), newJobRetryCmd(e, f))
	cmd.AddCommand(newJobQuarantineCmds(e, f)...)
	return cmd
}

func newJobConfigureCmd(e *env, f *clientFlags) *cobra.Command {
	var tenantURL, token, tokenFile, scope, interval, email, mappingsFile string
	var skipOutOfScope bool
	var hook webhookFlags
	var deletionThreshold, deletionPercent int
	var rates rateFlags
	var oauth *oauthFlags
	var reconcileEvery, bulk string
	cmd := &cobra.Command{
		Use:     "configure APP --tenant-url URL [--token-file FILE | --oauth-token-url URL --oauth-client-id ID --oauth-client-secret-file FILE [--oauth-scope S]...] [--scope assigned|all] [--interval D] [--skip-out-of-scope-deletions=true|false] [--webhook-url URL --webhook-secret-file F] [--deletion-threshold N] [--deletion-threshold-percent P] [--rate N] [--concurrency N] [--reconcile-every D] [--bulk on|off]",
		Aliases: []string{"set"},
		Short:   "Set an application's Tenant URL, Secret Token and provisioning settings",
		Long: `Create or change an application's provisioning job. Settings not given keep their
values (a new job: scope assigned, interval 40m). The job starts stopped: "job start".

The Secret Token comes from --token-file, or $` + JobTokenEnv + `, or --token (which
leaves it in your shell history); it is stored encrypted and never shown again. A
--tenant-url on another scheme, host or port needs the Secret Token again: the stored one
is only ever sent to the host it was given for.
Instead of a Secret Token, --oauth-token-url, --oauth-client-id and
--oauth-client-secret-file (or $` + JobOAuthSecretEnv + `) authenticate with OAuth 2.0 client
credentials (RFC 6749 §4.4): the job fetches an access token and a new one before it
expires. The secret is stored encrypted and never shown; the token URL must be https.
--mappings-file replaces the attribute mappings with a JSON document shaped as
"job get --json" shows them ("job mapping" edits them one at a time).
--skip-out-of-scope-deletions=true leaves accounts of objects that leave scope as they
are in the application (Entra's SkipOutOfScopeDeletions); false disables them.
--notification-email gets an email, and --webhook-url a POST signed with the secret of
--webhook-secret-file, when the job enters quarantine, its reason changes, deletions are
staged or it recovers (see docs/operations.md, "Notifications").
--deletion-threshold N stages the disables and deletes of a cycle with more than N of them
(default 500, Entra's), --deletion-threshold-percent P those of a cycle with more than P%
of the objects the job manages, from 5 on (default 30); 0 turns either off. Staged actions
are not sent and quarantine the job: "job staged", "job allow-deletes".

Saving a Tenant URL or token reads the application's /Schemas and /ResourceTypes: default
mappings to attributes it does not declare are left out, listed as "excluded".

--rate N caps the requests per second to the application (0: unlimited, the default) and
--concurrency N the ceiling of the requests in flight (0: the default, 256). Both adapt
down when the application throttles (429, 503) and back up on success, never above what is
set; the requests in flight also start at 16 and follow the application's latency (more
while it holds, fewer when it rises or requests time out). "job status" shows where they are.

--reconcile-every D (at least 1m; 0 turns it off) has the scheduler run "job reconcile"
(without --repair: findings go to the provisioning logs) on the started job every D.

--bulk on sends creates and updates in SCIM Bulk requests (RFC 7644 §3.7) when the
application advertises bulk.supported in /ServiceProviderConfig, within its maxOperations
and maxPayloadSize; each operation's result is handled like a single request's. Off by
default (no mainstream identity provider does this).`,
		Example: `  PROVISIO_JOB_TOKEN=... provisio job configure "Uni-tel Portal" --tenant-url https://scim.example.com/scim/abc/v2
  provisio job configure "Uni-tel Portal" --token-file token.txt --interval 5m --scope all
  provisio job configure "Uni-tel Portal" --rate 25 --concurrency 8
  provisio job configure "Uni-tel Portal" --oauth-token-url https://login.example.com/oauth2/token \\
    --oauth-client-id provisio --oauth-client-secret-file secret.txt --oauth-scope scim.write`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, err := jobToken(e, token, tokenFile)
			if err != nil {
				return err
			}
			req := apitypes.ConfigureJob{TenantURL: tenantURL, Token: tok, Scope: scope, Interval: interval}
			if req.OAuth, err = oauth.request(e); err != nil {
				return err
			}
			if req.OAuth != nil && token == "" && tokenFile == "" {
				req.Token = "" // $PROVISIO_JOB_TOKEN does not count against OAuth flags
			}
			if cmd.Flags().Changed("notification-email") {
				req.NotificationEmail = &email
			}
			if cmd.Flags().Changed("skip-out-of-scope-deletions") {
				req.SkipOutOfScopeDeletions = &skipOutOfScope
			}
			if err := hook.apply(e, cmd, &req); err != nil {
				return err
			}
			if cmd.Flags().Changed("deletion-threshold") {
				req.DeletionThreshold = &deletionThreshold
			}
			if cmd.Flags().Changed("deletion-threshold-percent") {
				req.DeletionThresholdPercent = &deletionPercent
			}
			rates.apply(cmd.Flags(), &req)
			if cmd.Flags().Changed("reconcile-every") {
				req.ReconcileEvery = &reconcileEvery
			}
			if cmd.Flags().Changed("bulk") {
				on, err := onOff("--bulk", bulk)
				if err != nil {
					return err
				}
				req.Bulk = &on
			}
			if mappingsFile != "" {
				b, err := e.readFile(mappingsFile)
				if err != nil {
					return err
				}
				if !json.Valid(b) {
					return fmt.Errorf("--mappings-file %s is not valid JSON", mappingsFile)
				}
				req.Mappings = b
			}
			if reflect.ValueOf(req).IsZero() {
				return fmt.Errorf("nothing to configure: give --tenant-url, a token or a setting")
			}
			j, err := run(cmd, e, f, "configure job of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Job, error) {
				return c.ConfigureJob(ctx, args[0], req)
			})
			if err != nil {
				return err
			}
			return printJob(e, f, j, "Configured the provisioning job of "+args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&reconcileEvery, "reconcile-every", "", "reconcile the started job's application every D, e.g. 24h (0: off)")
	fl.StringVar(&bulk, "bulk", "", "on: send creates and updates in SCIM Bulk requests when the application supports them; off (default)")
	fl.StringVar(&tenantURL, "tenant-url", "", "the application's SCIM base URL")
	fl.StringVar(&token, "token", "", "the Secret Token (prefer --token-file or $"+JobTokenEnv+")")
	fl.StringVar(&tokenFile, "token-file", "", "a file holding the Secret Token")
	fl.StringVar(&scope, "scope", "", "assigned (users and groups assigned to the app) or all")
	fl.StringVar(&interval, "interval", "", "time between cycles, e.g. 40m or 30s")
	fl.StringVar(&email, "notification-email", "", "where to send failure notifications (empty clears)")
	fl.StringVar(&mappingsFile, "mappings-file", "", "a JSON file of attribute mappings")
	fl.BoolVar(&skipOutOfScope, "skip-out-of-scope-deletions", false, "leave accounts of objects that leave scope as they are")
	hook.register(cmd)
	fl.IntVar(&deletionThreshold, "deletion-threshold", 0, "stage a cycle's disables and deletes above this many (0: off)")
	fl.IntVar(&deletionPercent, "deletion-threshold-percent", 0, "stage them above this percentage of the managed objects (0: off)")
	rates.register(fl)
	oauth = addOAuthFlags(fl)
	return cmd
}

// onOff reads a flag given as on or off (true and false too).
func onOff(flag, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true":
		return true, nil
	case "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("%s %q: want on or off", flag, v)
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

// printJob prints a job's settings: JSON (mappings included), else a
// table under title.
func printJob(e *env, f *clientFlags, j apitypes.Job, title string) error {
	if f.asJSON {
		return printJSON(e.stdout, j)
	}
	fmt.Fprintf(e.stdout, "%s.\n\n", title)
	if err := printTable(e.stdout, append([][]string{
		{"SETTING", "VALUE"},
		{"tenantUrl", j.TenantURL},
		{"token", map[bool]string{true: "set (hidden)", false: "not set"}[j.TokenSet]},
		{"auth", authText(j.Auth)},
		{"provisioning", map[bool]string{true: "on", false: "off"}[j.Enabled]},
		{"scope", j.Scope},
		{"interval", j.Interval},
		{"notificationEmail", j.NotificationEmail},
		{"skipOutOfScopeDeletions", strconv.FormatBool(j.SkipOutOfScopeDeletions)},
		{"deletionThreshold", thresholdText(j.DeletionThreshold, j.DeletionThresholdPercent)},
		{"rateLimit", rateText(j.RateLimit)},
		{"concurrency", concurrencyText(j.MaxConcurrency)},
		{"reconcileEvery", cmp.Or(j.ReconcileEvery, "off")},
		{"bulk", map[bool]string{true: "on", false: "off"}[j.Bulk]},
	}, webhookRows(j)...)); err != nil {
		return err
	}
	printTargetSchema(e, j.TargetSchema)
	printWarnings(e.stdout, j.Warnings)
	return nil
}

// thresholdText says a job's deletion threshold in words.
func thresholdText(count, percent int) string {
	var parts []string
	if count > 0 {
		parts = append(parts, fmt.Sprintf("more than %d", count))
	}
	if percent > 0 {
		parts = append(parts, fmt.Sprintf("more than %d%% of the managed objects", percent))
	}
	if len(parts) == 0 {
		return "off"
	}
	return strings.Join(parts, ", or ") + " staged"
}

func newJobGetCmd(e *env, f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "get APP",
		Short: "Show a job's settings (with --json: its attribute mappings too)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := run(cmd, e, f, "get job of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Job, error) {
				return c.Job(ctx, args[0])
			})
			if err != nil {
				return err
			}
			return printJob(e, f, j, "Provisioning job of "+args[0])
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
			js, err := c.Jobs(cmd.Context())
			if err != nil {
				return fmt.Errorf("list jobs: %w", err)
			}
			if f.asJSON {
				return printJSON(e.stdout, apitypes.JobList{Jobs: nonNil(js)})
			}
			apps, err := c.Apps(cmd.Context())
			if err != nil {
				return fmt.Errorf("list apps: %w", err)
			}
			names := map[string]string{}
			for _, a := range apps {
				names[a.ID] = a.Name
			}
			rows := [][]string{{"APP", "PROVISIONING", "SCOPE", "INTERVAL", "TENANT URL"}}
			for _, j := range js {
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
			if err := runErr(cmd, e, f, "delete job of "+args[0], func(ctx context.Context, c *apiclient.Client) error {
				return c.DeleteJob(ctx, args[0])
			}); err != nil {
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
			j, err := run(cmd, e, f, fmt.Sprintf("%s job of %s", name, args[0]), func(ctx context.Context, c *apiclient.Client) (apitypes.Job, error) {
				return c.SwitchJob(ctx, args[0], name == "start")
			})
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("Provisioning of %s is off.\n", args[0])
			if j.Enabled {
				msg = fmt.Sprintf("Provisioning of %s is on: a cycle every %s.\n", args[0], j.Interval)
			}
			return printJSONOr(e, f, j, msg)
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
			res, err := run(cmd, e, f, "test connection of "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.TestResult, error) {
				return c.TestJob(ctx, args[0])
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				if err := printJSON(e.stdout, res); err != nil {
					return err
				}
			} else if res.OK {
				fmt.Fprintf(e.stdout, "Test Connection of %s succeeded: %s.\n", args[0], res.Message)
				printTargetSchema(e, res.TargetSchema)
			}
			if !res.OK {
				return fmt.Errorf("test connection of %s failed (%s): %s", args[0], res.Reason, res.Message)
			}
			return nil
		},
	}
}

// printTargetSchema says what the job knows of the application's schema
// and lists the default mappings it left out.
func printTargetSchema(e *env, ts *apitypes.TargetSchema) {
	if ts == nil {
		return
	}
	fmt.Fprintf(e.stdout, "\nSchema: %s.\n", ts.Message)
	printExcluded(e, ts.Excluded)
}
