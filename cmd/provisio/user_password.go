package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/provisio-dev/provisio/internal/apiclient"
	"github.com/provisio-dev/provisio/internal/apitypes"
)

// newUserPasswordCmds are `user set-password` and `user invite`: a
// directory user's password for the OpenID provider's sign-in page.
func newUserPasswordCmds(e *env, f *clientFlags) []*cobra.Command {
	setPassword := &cobra.Command{
		Use:   "set-password USER",
		Short: "Set a user's sign-in password (read from standard input, never a flag)",
		Long: `Set the password a directory user signs in with at Provisio's OpenID provider.

The password is read from standard input: piped (one line; its newline is dropped) or, on a
terminal, typed twice at a prompt that does not echo. It is never a flag, so it stays out of
shell history and process listings. 12 to 256 characters. The server stores only an argon2id
hash and never returns, logs or audits the password.`,
		Example: `  provisio user set-password alice@contoso.com
  printf '%s\n' "$NEW_PASSWORD" | provisio user set-password alice@contoso.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := readPassword(cmd.InOrStdin(), e.stderr)
			if err != nil {
				return err
			}
			if err := runErr(cmd, e, f, "set password of user "+args[0], func(ctx context.Context, c *apiclient.Client) error {
				return c.SetPassword(ctx, args[0], pw)
			}); err != nil {
				return err
			}
			return printJSONOr(e, f, map[string]string{"user": args[0]}, "Set the password of "+args[0]+"\n")
		},
	}
	var valid time.Duration
	invite := &cobra.Command{
		Use:   "invite USER [--valid 72h]",
		Short: "Print a one-time link where a user sets their password",
		Long: `Create a one-time invite link, <public-url>/oidc/invite/<token>, where the user sets their own
password. It works once and expires after --valid (default 72h, at most 720h). The link is
shown only now; the server keeps a hash of its token.`,
		Example: `  provisio user invite alice@contoso.com
  provisio user invite bob@contoso.com --valid 24h --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v := "" // the server's default
			if cmd.Flags().Changed("valid") {
				v = valid.String()
			}
			inv, err := run(cmd, e, f, "invite user "+args[0], func(ctx context.Context, c *apiclient.Client) (apitypes.Invite, error) {
				return c.Invite(ctx, args[0], v)
			})
			if err != nil {
				return err
			}
			return printJSONOr(e, f, inv, fmt.Sprintf("%s\n(one use, expires %s)\n", inv.URL, inv.Expires.Local().Format(time.RFC1123)))
		},
	}
	invite.Flags().DurationVar(&valid, "valid", 0, "how long the link works (default 72h, the server's)")
	return []*cobra.Command{setPassword, invite}
}

// readPassword reads a password from in: typed twice without echo when
// in is a terminal (prompts on prompt), else its first line.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(int(f.Fd()), prompt)
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", errors.New("read password from standard input: empty")
	}
	return pw, nil
}

// promptPassword asks for a password twice on the terminal fd.
func promptPassword(fd int, prompt io.Writer) (string, error) {
	var pws [2]string
	for i, label := range []string{"Password: ", "Repeat password: "} {
		fmt.Fprint(prompt, label)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		pws[i] = string(b)
	}
	if pws[0] != pws[1] {
		return "", errors.New("the passwords do not match")
	}
	return pws[0], nil
}
