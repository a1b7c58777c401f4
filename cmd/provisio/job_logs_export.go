package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/logexport"
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
type logExporter = logexport.Writer

// Export formats of "job logs --format".
const (
	formatCSV  = logexport.CSV
	formatJSON = logexport.JSON // JSON Lines: one entry per line
)

// newLogExporter returns the exporter of format (csv or json) writing to w.
func newLogExporter(w io.Writer, format string) (logExporter, error) {
	x, err := logexport.New(w, format)
	if err != nil && format != formatCSV && format != formatJSON {
		return nil, fmt.Errorf("--format: %w", err)
	}
	return x, err
}

// logCSVHeader names the CSV columns (logexport.CSVHeader).
var logCSVHeader = logexport.CSVHeader

// csvCell defuses formula injection (logexport.Cell).
func csvCell(s string) string { return logexport.Cell(s) }
