package scoping

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// parsed is a clause's value read once, at Compile, for the operator.
type parsed struct {
	re *regexp.Regexp // pattern
	n  int64          // integer
	d  time.Duration  // duration
	t  time.Time      // date
}

// parse reads value as op's operand.
func (op *opInfo) parse(value string) (parsed, error) {
	var p parsed
	var err error
	switch op.operand {
	case pattern:
		if p.re, err = regexp.Compile(value); err != nil {
			return p, fmt.Errorf("not an RE2 regular expression (Go regexp syntax; no lookaround or backreferences): %w", err)
		}
	case integer:
		if p.n, err = strconv.ParseInt(value, 10, 64); err != nil {
			return p, fmt.Errorf("%q is not an integer", value)
		}
	case duration:
		p.d, err = parseDuration(value)
	case date:
		var ok bool
		if p.t, ok = parseDate(value); !ok {
			err = fmt.Errorf("%q is not a date (want 2006-01-02, RFC 3339 or M/d/yyyy h:mm:ss tt)", value)
		}
	}
	return p, err
}

// parseDuration reads a duration: <n>d (days), <n>w (weeks), or anything
// time.ParseDuration reads (12h, 90m, 1h30m). n may be negative:
// `hireDate OLDER_THAN -7d` is true a week before the start date.
func parseDuration(s string) (time.Duration, error) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit == 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (want 30d, 2w, 12h or 90m)", s)
		}
		return d, nil
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (want 30d, 2w, 12h or 90m)", s)
	}
	d := time.Duration(n) * unit
	if d/unit != time.Duration(n) {
		return 0, errors.New("duration " + strconv.Quote(s) + " out of range")
	}
	return d, nil
}

// Date layouts parseDate reads; a time without a zone is UTC.
const (
	layoutDate      = "2006-01-02"
	layoutLocal     = "2006-01-02T15:04:05"
	layoutEntra     = "1/2/2006 3:04:05 PM" // Entra's M/d/yyyy h:mm:ss tt
	layoutEntraDate = "1/2/2006"
)

// parseDate reads a date attribute or value: RFC 3339
// (2026-12-03T09:00:00Z), RFC 3339 without a zone or just a date
// (2026-12-03, midnight UTC), or Entra's M/d/yyyy h:mm:ss tt (the form its
// expression functions such as FormatDateTime read and Workday dates take)
// or M/d/yyyy. It picks the layout by the string's shape, so that reading
// an attribute does not try and fail (allocating an error) several times.
func parseDate(s string) (time.Time, bool) {
	var layout string
	switch {
	case strings.Contains(s, "/") && strings.Contains(s, ":"):
		layout = layoutEntra
	case strings.Contains(s, "/"):
		layout = layoutEntraDate
	case len(s) == len(layoutDate):
		layout = layoutDate
	case strings.LastIndexAny(s, "Z+-") > len(layoutDate):
		layout = time.RFC3339
	default:
		layout = layoutLocal
	}
	t, err := time.Parse(layout, s)
	return t, err == nil
}
