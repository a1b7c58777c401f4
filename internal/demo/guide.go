package demo

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/provisio-dev/provisio/internal/config"
)

// GuideOptions say how the reader runs the CLI.
type GuideOptions struct {
	// Prog is how the reader invokes provisio ("./bin/provisio"); "" means
	// "provisio".
	Prog string
	// Server and DataDir are where the CLI must look: the server's base
	// URL and its data directory. When they differ from the CLI's defaults
	// the guide starts with an export line.
	Server  string
	DataDir string
}

// WriteGuide prints the one-screen "what to try" for r: the commands
// that walk TryUser through the loop, each with what it shows.
func WriteGuide(w io.Writer, r Result, o GuideOptions) error {
	p := o.Prog
	if p == "" {
		p = "provisio"
	}
	app := `"` + AppName + `"`
	var b strings.Builder
	if r.Seeded {
		fmt.Fprintf(&b, "\nProvisio demo: seeded %d users and %d groups.\n", r.Users, r.Groups)
	} else {
		b.WriteString("\nProvisio demo, seeded on an earlier start (remove the data directory to start over).\n")
	}
	fmt.Fprintf(&b, "The app %s provisions the group %q (with its nested \"Platform Team\")\n"+
		"and %d users every %s into the SCIM tenant %q on this server.\n",
		app, assignedGroup, len(assignedUsers), Interval, TenantName)
	if r.PortalURL != "" {
		fmt.Fprintf(&b, "\nSingle sign-on: in a browser on this machine open %s\n"+
			"and sign in as %s, password %s: her profile in the app.\n"+
			"The admin web UI is %s (sign in as %s, same password).\n",
			r.PortalURL, SignInUser, Password, r.UIURL, AdminUser)
		b.WriteString("Try the loop in another terminal:\n")
	} else {
		b.WriteString("\nTry the loop in another terminal:\n")
	}
	lines := [][2]string{}
	for _, e := range exports(o) {
		lines = append(lines, [2]string{"export " + e})
	}
	run := p + " job run " + app + " --wait"
	lines = append(lines,
		[2]string{p + " job status " + app, "provisioned users and groups, last cycle"},
		[2]string{"export URL=" + r.TenantURL + " TOKEN=" + r.Token},
		[2]string{"# assign -> provisioned"},
		[2]string{p + " app assign " + app + " --user " + TryUser},
		[2]string{run, "1 created (or wait " + Interval.String() + ")"},
		[2]string{`curl -s -G "$URL/Users" -H "Authorization: Bearer $TOKEN" --data-urlencode 'filter=userName eq "` + TryUser + `"'`},
		[2]string{"# change -> synchronized"},
		[2]string{p + " user update " + TryUser + " --set department=Sales"},
		[2]string{run, "1 updated"},
		[2]string{"# unassign -> disabled"},
		[2]string{p + " app unassign " + app + " --user " + TryUser},
		[2]string{run, "1 disabled: active=false in the app"},
	)
	if r.PortalURL != "" {
		lines = append(lines,
			[2]string{"# unassign -> signed out"},
			[2]string{p + " group remove-member " + assignedGroup + " " + SignInUser, "she was assigned through " + assignedGroup},
			[2]string{run, "1 disabled; reload the portal: refused, her session ended"},
		)
	}
	lines = append(lines,
		[2]string{"# delete -> deleted"},
		[2]string{p + " user purge " + TryUser},
		[2]string{run, "1 deleted"},
		[2]string{p + " job logs " + app, "every action, with what changed"},
		[2]string{p + " tenant events " + r.TenantID, "what the app received, newest last"},
	)
	width := 0
	for _, l := range lines {
		if l[1] != "" {
			width = max(width, len(l[0]))
		}
	}
	for _, l := range lines {
		if l[1] == "" {
			fmt.Fprintf(&b, "  %s\n", l[0])
			continue
		}
		fmt.Fprintf(&b, "  %-*s  # %s\n", width, l[0], l[1])
	}
	b.WriteString("\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("demo guide: %w", err)
	}
	return nil
}

// exports are the environment settings the CLI needs to find a server or
// a data directory other than its defaults.
func exports(o GuideOptions) []string {
	defaults := map[string]string{}
	for _, opt := range config.ClientOptions() {
		defaults[opt.Flag] = opt.Default
	}
	var out []string
	if o.Server != "" && strings.TrimRight(o.Server, "/") != defaults[config.FlagServer] {
		out = append(out, "PROVISIO_SERVER="+o.Server)
	}
	if o.DataDir != "" && filepath.Clean(o.DataDir) != filepath.Clean(defaults[config.FlagDataDir]) {
		dir, err := filepath.Abs(o.DataDir)
		if err != nil {
			dir = o.DataDir
		}
		out = append(out, "PROVISIO_DATA_DIR="+shellQuote(dir))
	}
	return out
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
