// Package logexport writes provisioning log entries (apitypes.LogEntry) in
// the export formats shared by the admin API's export route and the CLI:
// CSV (RFC 4180, the columns of Entra's "Download logs") and JSON Lines.
package logexport

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// Export formats.
const (
	CSV  = "csv"
	JSON = "json" // JSON Lines: one entry per line
)

// ContentType is the media type of format's output: text/csv (RFC 7111)
// or application/jsonl (JSON Lines).
func ContentType(format string) string {
	if format == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/jsonl"
}

// Writer writes log entries one by one in an export format.
type Writer interface {
	Write(apitypes.LogEntry) error
	// Flush writes what is buffered and reports any write error.
	Flush() error
}

// New returns the writer of format (csv or json) writing to w; the CSV
// header row is written at once.
func New(w io.Writer, format string) (Writer, error) {
	switch format {
	case CSV:
		cw := csv.NewWriter(w)
		return &csvLogs{w: cw}, cw.Write(CSVHeader)
	case JSON:
		return jsonLogs{enc: json.NewEncoder(w)}, nil
	}
	return nil, fmt.Errorf("%q is not csv or json", format)
}

// CSVHeader names the CSV columns, after the columns of the provisioning
// logs Entra downloads as CSV (Microsoft Entra provisioning logs, "Download
// logs").
var CSVHeader = []string{"Date (UTC)", "Cycle ID", "Change ID", "Action", "Status", "Object Type", "Identity",
	"Source ID", "Target ID", "Modified Properties", "Error Code", "Reason", "Steps", "Duration (ms)"}

// csvLogs writes RFC 4180 CSV (encoding/csv quotes commas, quotes and line
// breaks) with every cell made safe for spreadsheets (Cell).
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
		row[i] = Cell(v)
	}
	return c.w.Write(row)
}

func (c *csvLogs) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// Cell defuses formula injection (OWASP "CSV Injection"): a cell a
// spreadsheet would read as a formula, starting with =, +, -, @, a tab or
// a carriage return, is prefixed with a single quote.
func Cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// jsonLogs writes JSON Lines: one apitypes.LogEntry per line.
type jsonLogs struct{ enc *json.Encoder }

func (j jsonLogs) Write(l apitypes.LogEntry) error { return j.enc.Encode(l) }
func (j jsonLogs) Flush() error                    { return nil }
