// Command provisio runs Provisio: `provisio serve` hosts the multi-tenant
// SCIM 2.0 service provider, the admin API and the provisioning
// scheduler; the other subcommands (`tenant`, `user`, `group`, `app`,
// `job`, `expr`, `version`) are a thin CLI over the admin API.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := newRootCmd(&env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, readFile: os.ReadFile, prog: os.Args[0]})
	if err := root.ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "provisio:", err)
		os.Exit(1)
	}
}

// env is the outside world of a command: tests run the root command
// in-process with their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	readFile       func(string) ([]byte, error)
	// ready, if set, is called by serve with the server's base URL once it
	// accepts requests.
	ready func(baseURL string)
	// prog is how the user invoked provisio, for commands printed to copy
	// ("./bin/provisio"); "" means "provisio".
	prog string
	// transport, if set, carries the admin API client's requests (tests
	// validate the answers against the OpenAPI description).
	transport http.RoundTripper
}

// newRootCmd builds the command tree.
func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "provisio",
		Short: "Provisio: a multi-tenant SCIM 2.0 service provider and its admin CLI",
		Long: `Provisio receives user and group provisioning over SCIM 2.0 (RFC 7643, RFC 7644)
from Microsoft Entra ID, Okta or any SCIM client, one Tenant URL and secret token per
customer tenant, and records every change in a per-tenant feed.

It is also the identity side: a directory of users, groups and applications ("user",
"group", "app") and a provisioning job per application ("job") that keeps the
application's accounts in step over SCIM.

Run "provisio serve" to start the server; the other commands talk to a running server
through its admin API.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.AddCommand(newServeCmd(e), newTenantCmd(e), newAdminTokenCmd(e), newUserCmd(e), newGroupCmd(e), newAppCmd(e), newJobCmd(e), newVersionCmd(e))
	root.AddCommand(newExprCmd(e), newAuditCmd(e), newOIDCCmd(e), newHealthcheckCmd(e))
	return root
}
