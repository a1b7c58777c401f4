package expr

import (
	"errors"
	"strings"
	"time"
)

// dateLayouts are the forms parseDate reads: ISO 8601 (with or without a
// time, a fraction, an offset; "2020-03-16-07:00" is a date with an
// offset, as Workday sends it), Entra's own M/d/yyyy h:mm:ss tt and the
// generalized time of LDAP (20150123105347.0Z). No offset means UTC.
var dateLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02Z07:00",
	"2006-01-02",
	entraDate,
	"1/2/2006 15:04:05",
	"1/2/2006",
	"20060102150405Z0700",
	"20060102150405",
}

var errNotDate = errors.New("not a date")

// parseDate reads a date string in one of dateLayouts, as UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errNotDate
}

// addInterval adds n intervals (DateAdd's yyyy, q, m, y, d, w, ww, h, n,
// s) to t; months and years as .NET AddMonths, clamping the day to the
// month's last.
func addInterval(interval string, n int64, t time.Time) (time.Time, bool) {
	switch interval {
	case "yyyy":
		return addMonths(t, n*12), true
	case "q":
		return addMonths(t, n*3), true
	case "m":
		return addMonths(t, n), true
	case "y", "d", "w":
		return t.AddDate(0, 0, int(n)), true
	case "ww":
		return t.AddDate(0, 0, int(n)*7), true
	case "h":
		return addSeconds(t, n*3600), true
	case "n":
		return addSeconds(t, n*60), true
	case "s":
		return addSeconds(t, n), true
	}
	return t, false
}

// addSeconds is t plus n seconds, without time.Duration's 292-year limit.
func addSeconds(t time.Time, n int64) time.Time {
	return time.Unix(t.Unix()+n, int64(t.Nanosecond())).UTC()
}

func addMonths(t time.Time, months int64) time.Time {
	y, m, d := t.Date()
	total := int64(y)*12 + int64(m) - 1 + months
	ny, nm := int(total/12), time.Month(total%12+1)
	if last := daysIn(ny, nm); d > last {
		d = last
	}
	h, mi, s := t.Clock()
	return time.Date(ny, nm, d, h, mi, s, t.Nanosecond(), time.UTC)
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// diffInterval is DateDiff: date2 - date1 in whole intervals, as VBA's
// DateDiff counts them: elapsed days, hours, minutes, seconds truncated;
// weeks (ww) between the Sundays starting the two dates' weeks; months,
// quarters and years by the calendar.
func diffInterval(interval string, d1, d2 time.Time) (int64, bool) {
	switch interval {
	case "yyyy":
		return int64(d2.Year() - d1.Year()), true
	case "q":
		return int64((d2.Year()-d1.Year())*4 + (int(d2.Month())-1)/3 - (int(d1.Month())-1)/3), true
	case "m":
		return int64((d2.Year()-d1.Year())*12 + int(d2.Month()) - int(d1.Month())), true
	case "y", "d":
		return elapsed(d1, d2) / day, true
	case "w":
		return elapsed(d1, d2) / day / 7, true
	case "ww":
		s1 := d1.AddDate(0, 0, -int(d1.Weekday()))
		s2 := d2.AddDate(0, 0, -int(d2.Weekday()))
		return elapsed(s1, s2) / day / 7, true
	case "h":
		return elapsed(d1, d2) / 3600, true
	case "n":
		return elapsed(d1, d2) / 60, true
	case "s":
		return elapsed(d1, d2), true
	}
	return 0, false
}

const day = 24 * 3600

// elapsed is d2 - d1 in whole seconds, truncated toward zero, without
// time.Duration's 292-year limit.
func elapsed(d1, d2 time.Time) int64 {
	s, ns := d2.Unix()-d1.Unix(), d2.Nanosecond()-d1.Nanosecond()
	if s > 0 && ns < 0 {
		s--
	} else if s < 0 && ns > 0 {
		s++
	}
	return s
}

// fileTimeEpoch is 1601-01-01 UTC in Unix seconds: Active Directory's
// integer dates (accountExpires, lastLogonTimestamp) count 100-ns ticks
// from it.
const fileTimeEpoch = -11644473600

// fromFileTime is the DateTime of an AD integer date.
func fromFileTime(ticks int64) time.Time {
	return time.Unix(ticks/1e7+fileTimeEpoch, ticks%1e7*100).UTC()
}

// toFileTime is the AD integer date of t.
func toFileTime(t time.Time) int64 {
	return (t.Unix()-fileTimeEpoch)*1e7 + int64(t.Nanosecond()/100)
}
