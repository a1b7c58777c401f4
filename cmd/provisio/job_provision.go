package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

func newJobProvisionCmd(e *env, f *clientFlags) *cobra.Command {
	var obj objectFlags
	cmd := &cobra.Command{
		Use:   "provision APP (--user UPN | --group NAME)",
		Short: "Provision one user or group now and show each step (provision on demand)",
		Long: `Run the whole provisioning pipeline for one user or group now, as Microsoft Entra ID's
"provision on demand" does, and print each step as Entra names it: Import (the source
attributes the mappings and scoping filters read), Determine if in scope (the decision,
how the object is assigned, each scoping filter clause's result), Match between source
and target (the query sent, found or not, the target id), Perform action (create, update,
disable, delete or skip, with each request sent, its answer status and body), and the
modified properties (old → new).

A group is provisioned after up to 5 of its user members, so that it is written with
their target ids; its other members (and nested groups) are left to the next cycle.

It works while the job is stopped, takes the job's lock like a cycle (it fails with
job_busy while a cycle runs), writes the link and a provisioning log entry under a cycle
of kind on-demand ("job runs", "job logs --cycle ID"), and does not move the watermark.
It exits non-zero when an object failed.`,
		Example: `  provisio job provision "Uni-tel Portal" --user alice@contoso.com
  provisio job provision "Uni-tel Portal" --group Sales --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := obj.check(); err != nil {
				return err
			}
			what := "provision " + obj.name() + " in " + args[0]
			start := time.Now()
			res, err := run(cmd, e, f, what, func(ctx context.Context, c *apiclient.Client) (apitypes.OnDemandResult, error) {
				if obj.user != "" {
					return c.ProvisionUser(ctx, args[0], obj.user)
				}
				return c.ProvisionGroup(ctx, args[0], obj.group)
			})
			if err != nil {
				return err
			}
			if f.asJSON {
				err = printJSON(e.stdout, res)
			} else {
				err = printOnDemand(e.stdout, res, time.Since(start))
			}
			if err != nil {
				return err
			}
			for _, o := range res.Objects {
				if o.Entry.Status == "failure" {
					return fmt.Errorf("%s: %s %s failed: %s", what, o.Entry.ObjectType, cmp.Or(o.Entry.SourceName, o.Entry.SourceID),
						strings.TrimSpace(o.Entry.ErrorCode+" "+o.Entry.Reason))
				}
			}
			return nil
		},
	}
	obj.register(cmd)
	return cmd
}

// stepTitle is a step as Entra's provision on demand names it.
func stepTitle(name, objectType string) string {
	noun := strings.ToLower(objectType)
	switch name {
	case "import":
		return "Import " + noun
	case "scope":
		return "Determine if " + noun + " is in scope"
	case "match":
		return "Match " + noun + " between source and target system"
	case "action":
		return "Perform action"
	}
	return name
}

// printOnDemand prints each object's steps, numbered, with what belongs
// to them: the attributes under import, the queries under match, the
// requests, their statuses and bodies under the action; then the
// modified properties and a summary line.
func printOnDemand(w io.Writer, res apitypes.OnDemandResult, took time.Duration) error {
	for i, o := range res.Objects {
		if i > 0 {
			fmt.Fprintln(w)
		}
		l := o.Entry
		fmt.Fprintf(w, "%s %s: %s (%s)\n", l.ObjectType, cmp.Or(l.SourceName, l.SourceID), l.Action, l.Status)
		var queries, writes []apitypes.Exchange
		for _, x := range o.Exchanges {
			if x.Method == "GET" {
				queries = append(queries, x)
			} else {
				writes = append(writes, x)
			}
		}
		for n, s := range l.Steps {
			fmt.Fprintf(w, "%d. %s [%s]", n+1, stepTitle(s.Name, l.ObjectType), s.Status)
			if s.Detail != "" {
				fmt.Fprintf(w, ": %s", s.Detail)
			}
			fmt.Fprintln(w)
			switch s.Name {
			case "import":
				for _, a := range o.Attributes {
					fmt.Fprintf(w, "     %s: %s\n", a.Name, cmp.Or(a.Value, "(null)"))
				}
			case "match":
				for _, x := range queries {
					fmt.Fprintf(w, "     %s\n", exchangeLine(x))
				}
			case "action":
				if err := printWrites(w, writes, o.Requests); err != nil {
					return err
				}
			}
		}
		if l.TargetID != "" {
			fmt.Fprintf(w, "   Target id: %s\n", l.TargetID)
		}
		if len(l.Modified) > 0 {
			fmt.Fprintln(w, "   Modified properties:")
			for _, m := range l.Modified {
				fmt.Fprintf(w, "     %s: %q → %q\n", m.Name, m.Old, m.New)
			}
		}
	}
	if res.MembersLeft > 0 {
		fmt.Fprintf(w, "\n%d more members of the group are left to the next cycle.\n", res.MembersLeft)
	}
	_, err := fmt.Fprintf(w, "\nDone in %s (cycle %s): %s\n", took.Round(time.Millisecond), res.CycleID, statsLine(res.Stats))
	return err
}

func exchangeLine(x apitypes.Exchange) string {
	if x.Status == 0 {
		return x.Method + " " + x.Path + " → no answer"
	}
	return fmt.Sprintf("%s %s → %d", x.Method, x.Path, x.Status)
}

// printWrites prints the requests an action sent with their statuses and
// bodies; a body is paired with its request when each was sent once.
func printWrites(w io.Writer, writes []apitypes.Exchange, reqs []apitypes.PreviewRequest) error {
	paired := len(writes) == len(reqs)
	for i, x := range writes {
		fmt.Fprintf(w, "     %s\n", exchangeLine(x))
		if paired {
			if err := printBody(w, reqs[i], "     "); err != nil {
				return err
			}
		}
	}
	if !paired {
		for _, r := range reqs {
			fmt.Fprintf(w, "     request %s %s\n", r.Method, r.Path)
			if err := printBody(w, r, "     "); err != nil {
				return err
			}
		}
	}
	return nil
}
