package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/config"
)

// parseWhen parses --since and --until: an RFC 3339 time, or an age
// before now ("24h", "7d"); "" is the zero time (unbounded).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := config.ParseAge(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time (2026-01-02T15:04:05Z) or an age like 24h or 7d", s)
	}
	return now.Add(-d), nil
}

// logExporter writes log entries one by one in an export format.
type logExporter interface {
	Write(apitypes.LogEntry) error
	// Flush writes what is buffered and reports any write error.
	Flush() error
}

// Export formats of "job logs --format".
const (
	formatCSV  = "csv"
	formatJSON = "json" // JSON Lines: one entry per line
)

// newLogExporter returns the exporter of format (csv or json) writing to w.
func newLogExporter(w io.Writer, format string) (logExporter, error) {
	switch format {
	case formatCSV:
		cw := csv.NewWriter(w)
		return &csvLogs{w: cw}, cw.Write(logCSVHeader)
	case formatJSON:
		return jsonLogs{enc: json.NewEncoder(w)}, nil
	}
	return nil, fmt.Errorf("--format: %q is not csv or json", format)
}

// logCSVHeader names the CSV columns, after the columns of the provisioning
// logs Entra downloads as CSV (Microsoft Entra provisioning logs, "Download
// logs").
var logCSVHeader = []string{"Date (UTC)", "Cycle ID", "Change ID", "Action", "Status", "Object Type", "Identity",
	"Source ID", "Target ID", "Modified Properties", "Error Code", "Reason", "Steps", "Duration (ms)"}

// csvLogs writes RFC 4180 CSV (encoding/csv quotes commas, quotes and line
// breaks) with every cell made safe for spreadsheets (csvCell).
type csvLogs struct{ w *csv.Writer }

func (c *csvLogs) Write(l apitypes.LogEntry) error {
	mods := make([]string, len(l.Modified))
	for i, m := range l.Modified {
		mods[i] = fmt.Sprintf("%s: %q → %q", m.Name, m.Old, m.New)
	}
	steps := make([]string, len(l.Steps))
	for i, s := range l.Steps {
		steps[i] = strings.TrimSpace(s.Name + " " + s.Status + " " + s.Detail)
	}
	row := []string{l.Time.UTC().Format(time.RFC3339Nano), l.CycleID, l.ChangeID, l.Action, l.Status, l.ObjectType,
		l.SourceName, l.SourceID, l.TargetID, strings.Join(mods, "; "), l.ErrorCode, l.Reason, strings.Join(steps, "; "),
		strconv.FormatInt(l.Duration.Milliseconds(), 10)}
	for i, v := range row {
		row[i] = csvCell(v)
	}
	return c.w.Write(row)
}

func (c *csvLogs) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// csvCell defuses formula injection (OWASP "CSV Injection"): a cell a
// spreadsheet would read as a formula, starting with =, +, -, @, a tab or
// a carriage return, is prefixed with a single quote.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// jsonLogs writes JSON Lines: one apitypes.LogEntry per line.
type jsonLogs struct{ enc *json.Encoder }

func (j jsonLogs) Write(l apitypes.LogEntry) error { return j.enc.Encode(l) }
func (j jsonLogs) Flush() error                    { return nil }
