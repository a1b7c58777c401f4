package client

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Eq returns the filter `attr eq "value"` (RFC 7644 §3.4.2.2) with value
// written as a JSON string (RFC 8259 §7): quotes, backslashes and control
// characters are escaped, so no value can end the string early or change
// the filter. attr is inserted as given; it must be an attribute path
// such as "userName" or "emails[type eq \"work\"].value".
func Eq(attr, value string) string {
	return attr + " eq " + quoteJSON(value)
}

// quoteJSON renders s as a JSON string literal. Unlike encoding/json it
// does not escape <, > and &, which some filter parsers do not unescape.
func quoteJSON(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\u00`)
			if r < 0x10 {
				b.WriteByte('0')
			}
			b.WriteString(strconv.FormatInt(int64(r), 16))
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
