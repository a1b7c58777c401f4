package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/scim"
)

// adminGroupCmd returns a command group whose subcommands call the admin
// API: it carries --server, --data-dir and --json for all of them.
func adminGroupCmd(use, short, long string) (*cobra.Command, *clientFlags) {
	cmd := &cobra.Command{Use: use, Short: short, Long: long + `

The server is --server (or $PROVISIO_SERVER, default http://127.0.0.1:8080). The admin
token is $PROVISIO_ADMIN_TOKEN or, if unset, the file admin.token in --data-dir (or
$PROVISIO_DATA_DIR, default ./provisio-data).`}
	f := &clientFlags{}
	config.Register(cmd.PersistentFlags(), config.ClientOptions())
	cmd.PersistentFlags().BoolVar(&f.asJSON, "json", false, "print JSON instead of a table or message")
	return cmd, f
}

// parseSets turns repeated --set NAME=VALUE flags into an attribute
// object: an empty VALUE clears the attribute (JSON null), and the
// boolean attribute accountEnabled takes true or false.
func parseSets(sets []string) (map[string]any, error) {
	attrs := make(map[string]any, len(sets))
	for _, s := range sets {
		name, value, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("--set %q: want NAME=VALUE", s)
		}
		if _, dup := attrs[name]; dup {
			return nil, fmt.Errorf("--set %s given twice", name)
		}
		switch {
		case strings.EqualFold(name, "accountEnabled"):
			b, err := parseBool(value)
			if err != nil {
				return nil, fmt.Errorf("--set %s: %w", name, err)
			}
			attrs[name] = b
		case value == "":
			attrs[name] = nil
		default:
			attrs[name] = value
		}
	}
	return attrs, nil
}

func parseBool(s string) (bool, error) {
	b, err := scim.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%q is not true or false", s)
	}
	return b, nil
}

// readLines reads a file of one entry per line; blank lines and lines
// starting with # are skipped, surrounding space is trimmed.
func readLines(readFile func(string) ([]byte, error), path string) ([]string, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return lines, nil
}

// chunks splits s into slices of at most n elements.
func chunks(s []string, n int) [][]string {
	var out [][]string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// newProgress returns a progress bar on the command's stderr when that
// is a terminal, and an invisible one otherwise (pipes, CI logs, tests).
// asBytes shows max as a byte count.
func newProgress(e *env, max int64, desc string, asBytes bool) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetVisibility(isTerminal(e.stderr)),
	}
	if asBytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	}
	return progressbar.NewOptions64(max, opts...)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printJSONOr prints v as JSON with --json, else the message msg.
func printJSONOr(e *env, f *clientFlags, v any, msg string) error {
	if f.asJSON {
		return printJSON(e.stdout, v)
	}
	_, err := io.WriteString(e.stdout, msg)
	return err
}
