package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file reads and writes dates in .NET custom date and time format
// strings (FormatDateTime's inputFormat and outputFormat), invariant
// culture. Supported: yyyy yyy yy y, MMMM MMM MM M, dddd ddd dd d,
// HH H, hh h, mm m, ss s, f…fffffff, F…FFFFFFF, tt t, zzz zz z, K,
// 'quoted' and "quoted" literals, \x escapes, % before a lone specifier,
// : and / as themselves; any other character is a literal.

// dnToken is one piece of a .NET format: a specifier letter repeated n
// times, or a literal (spec 0).
type dnToken struct {
	spec byte
	n    int
	lit  string
}

func dnTokens(format string) ([]dnToken, error) {
	var toks []dnToken
	lit := func(s string) {
		if len(toks) > 0 && toks[len(toks)-1].spec == 0 {
			toks[len(toks)-1].lit += s
			return
		}
		toks = append(toks, dnToken{lit: s})
	}
	for i := 0; i < len(format); {
		c := format[i]
		switch c {
		case 'y', 'M', 'd', 'H', 'h', 'm', 's', 'f', 'F', 't', 'z', 'K':
			j := i
			for j < len(format) && format[j] == c {
				j++
			}
			n := j - i
			if (c == 'f' || c == 'F') && n > 7 {
				return nil, fmt.Errorf("format %q: more than 7 %c", format, c)
			}
			toks = append(toks, dnToken{spec: c, n: n})
			i = j
		case '\'', '"':
			j := strings.IndexByte(format[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("format %q: unterminated quote", format)
			}
			lit(format[i+1 : i+1+j])
			i += j + 2
		case '\\':
			if i+1 >= len(format) {
				return nil, fmt.Errorf("format %q: \\ at the end", format)
			}
			lit(format[i+1 : i+2])
			i += 2
		case '%':
			i++
		default:
			lit(format[i : i+1])
			i++
		}
	}
	return toks, nil
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

// formatDotNet writes t (UTC) in a .NET custom format.
func formatDotNet(t time.Time, format string) (string, error) {
	toks, err := dnTokens(format)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	num := func(v, n int) {
		s := strconv.Itoa(v)
		for i := len(s); i < n; i++ {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	for _, tok := range toks {
		n := tok.n
		switch tok.spec {
		case 0:
			b.WriteString(tok.lit)
		case 'y':
			switch {
			case n <= 2:
				num(t.Year()%100, n)
			default:
				num(t.Year(), n)
			}
		case 'M':
			switch {
			case n <= 2:
				num(int(t.Month()), n)
			case n == 3:
				b.WriteString(monthNames[t.Month()-1][:3])
			default:
				b.WriteString(monthNames[t.Month()-1])
			}
		case 'd':
			switch {
			case n <= 2:
				num(t.Day(), n)
			case n == 3:
				b.WriteString(dayNames[t.Weekday()][:3])
			default:
				b.WriteString(dayNames[t.Weekday()])
			}
		case 'H':
			num(t.Hour(), min(n, 2))
		case 'h':
			num((t.Hour()+11)%12+1, min(n, 2))
		case 'm':
			num(t.Minute(), min(n, 2))
		case 's':
			num(t.Second(), min(n, 2))
		case 'f', 'F':
			frac := fmt.Sprintf("%09d", t.Nanosecond())[:n]
			if tok.spec == 'F' {
				if frac = strings.TrimRight(frac, "0"); frac == "" {
					// .NET drops a '.' right before an empty F.
					s := b.String()
					if strings.HasSuffix(s, ".") {
						b.Reset()
						b.WriteString(s[:len(s)-1])
					}
				}
			}
			b.WriteString(frac)
		case 't':
			ampm := "AM"
			if t.Hour() >= 12 {
				ampm = "PM"
			}
			b.WriteString(ampm[:min(n, 2)])
		case 'z':
			switch n {
			case 1:
				b.WriteString("+0")
			case 2:
				b.WriteString("+00")
			default:
				b.WriteString("+00:00")
			}
		case 'K':
			b.WriteString("Z")
		}
	}
	return b.String(), nil
}

// parseDotNet reads s in a .NET custom format (ParseExact); leading and
// trailing white space is ignored (Entra's default DateTimeStyles), an
// offset converts to UTC, no offset means UTC. Missing date parts are
// 1 (0001-01-01), missing time parts 0.
func parseDotNet(s, format string) (time.Time, error) {
	toks, err := dnTokens(format)
	if err != nil {
		return time.Time{}, err
	}
	s = strings.TrimSpace(s)
	year, month, day, hour, minute, sec, nsec, offset := 1, 1, 1, 0, 0, 0, 0, 0
	pm, hasAMPM := false, false
	bad := fmt.Errorf("%q does not match format %q", s, format)
	digits := func(lo, hi int) (int, bool) {
		i := 0
		for i < hi && i < len(s) && isDigit(s[i]) {
			i++
		}
		if i < lo {
			return 0, false
		}
		v, _ := strconv.Atoi(s[:i])
		s = s[i:]
		return v, true
	}
	name := func(names []string, abbrev bool) (int, bool) {
		for i, nm := range names {
			if abbrev {
				nm = nm[:3]
			}
			if len(s) >= len(nm) && strings.EqualFold(s[:len(nm)], nm) {
				s = s[len(nm):]
				return i, true
			}
		}
		return 0, false
	}
	for _, tok := range toks {
		n, ok := tok.n, true
		switch tok.spec {
		case 0:
			ok = strings.HasPrefix(s, tok.lit)
			s = strings.TrimPrefix(s, tok.lit)
		case 'y':
			switch n {
			case 1, 2:
				lo := n
				year, ok = digits(lo, 2)
				if year < 50 {
					year += 2000 // .NET's two-digit year window ends in 2049
				} else {
					year += 1900
				}
			default:
				year, ok = digits(n, max(n, 4))
			}
		case 'M':
			switch {
			case n <= 2:
				month, ok = digits(n, 2)
			default:
				month, ok = name(monthNames, n == 3)
				month++
			}
		case 'd':
			if n <= 2 {
				day, ok = digits(n, 2)
			} else {
				_, ok = name(dayNames, n == 3)
			}
		case 'H', 'h':
			hour, ok = digits(min(n, 2), 2)
		case 'm':
			minute, ok = digits(min(n, 2), 2)
		case 's':
			sec, ok = digits(min(n, 2), 2)
		case 'f', 'F':
			lo := n
			if tok.spec == 'F' {
				lo = 0
			}
			rest := len(s)
			var f int
			f, ok = digits(lo, n)
			for i := rest - len(s); i < 9; i++ {
				f *= 10
			}
			nsec = f
		case 't':
			hasAMPM = true
			switch {
			case strings.HasPrefix(strings.ToUpper(s), "AM"[:min(n, 2)]):
			case strings.HasPrefix(strings.ToUpper(s), "PM"[:min(n, 2)]):
				pm = true
			default:
				ok = false
			}
			if ok {
				s = s[min(n, 2):]
			}
		case 'z', 'K':
			offset, ok = parseOffset(&s, tok.spec == 'K')
		}
		if !ok {
			return time.Time{}, bad
		}
	}
	if s != "" {
		return time.Time{}, bad
	}
	if hasAMPM {
		if hour < 1 || hour > 12 {
			return time.Time{}, bad
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, time.Month(month)) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, bad
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), nil
}

// parseOffset reads Z, ±h, ±hh or ±hh:mm from the front of *s; optional
// allows nothing (K).
func parseOffset(s *string, optional bool) (int, bool) {
	in := *s
	if strings.HasPrefix(in, "Z") {
		*s = in[1:]
		return 0, true
	}
	if in == "" || in[0] != '+' && in[0] != '-' {
		return 0, optional
	}
	sign := 1
	if in[0] == '-' {
		sign = -1
	}
	i := 1
	for i < len(in) && i < 3 && isDigit(in[i]) {
		i++
	}
	if i == 1 {
		return 0, false
	}
	h, _ := strconv.Atoi(in[1:i])
	m := 0
	if i+2 < len(in) && in[i] == ':' && isDigit(in[i+1]) && isDigit(in[i+2]) {
		m, _ = strconv.Atoi(in[i+1 : i+3])
		i += 3
	}
	*s = in[i:]
	return sign * (h*3600 + m*60), true
}
