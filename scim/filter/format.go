package filter

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/provisio-dev/provisio/scim"
)

// Format renders e in strict filter syntax: Parse(Format(e), Options{})
// returns an Expr equal to e for any Expr Parse produced, unless escaping
// or number formatting takes the text over [MaxLength]. Strings are
// quoted as JSON, operators and keywords are lower-case, and parentheses
// are written only where precedence needs them. Format(nil) is "".
func Format(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// String renders the path in RFC 7644 §3.5.2 syntax; ParsePath reads it back.
func (p Path) String() string {
	var b strings.Builder
	writePath(&b, p.Attr, p.Filter, p.Sub)
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *Or:
		writeExpr(b, x.L)
		b.WriteString(" or ")
		writeOperand(b, x.R, isOr)
	case *And:
		writeOperand(b, x.L, isOr)
		b.WriteString(" and ")
		writeOperand(b, x.R, isAndOr)
	case *Not:
		b.WriteString("not (")
		writeExpr(b, x.X)
		b.WriteByte(')')
	case *ValuePath:
		writePath(b, x.Path, x.Filter, "")
	case *Compare:
		writeCompare(b, x)
	}
}

func isOr(e Expr) bool { _, ok := e.(*Or); return ok }

func isAndOr(e Expr) bool {
	switch e.(type) {
	case *And, *Or:
		return true
	}
	return false
}

// writeOperand writes e, in parentheses if needParens(e).
func writeOperand(b *strings.Builder, e Expr, needParens func(Expr) bool) {
	if !needParens(e) {
		writeExpr(b, e)
		return
	}
	b.WriteByte('(')
	writeExpr(b, e)
	b.WriteByte(')')
}

// writePath writes attrPath, attrPath[filter] or attrPath[filter].sub.
func writePath(b *strings.Builder, p scim.AttrPath, filter Expr, sub string) {
	if filter == nil {
		b.WriteString(p.String())
		return
	}
	if p.URI != "" {
		b.WriteString(p.URI)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	b.WriteByte('[')
	writeExpr(b, filter)
	b.WriteByte(']')
	if sub != "" {
		b.WriteByte('.')
		b.WriteString(sub)
	}
}

func writeCompare(b *strings.Builder, c *Compare) {
	if c.Filter != nil {
		writePath(b, scim.AttrPath{URI: c.Path.URI, Name: c.Path.Name}, c.Filter, c.Path.Sub)
	} else {
		b.WriteString(c.Path.String())
	}
	b.WriteByte(' ')
	b.WriteString(string(c.Op))
	if c.Op == Pr {
		return
	}
	b.WriteByte(' ')
	writeValue(b, c.Value)
}

func writeValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writeString(b, x)
	case float64:
		b.WriteString(formatNumber(x))
	default:
		// Not produced by Parse; render what JSON would.
		raw, err := json.Marshal(x)
		if err != nil {
			writeString(b, "")
			return
		}
		b.Write(raw)
	}
}

// formatNumber renders f as a JSON number: integers without exponent up to
// 1e21, as encoding/json does, else the shortest representation.
func formatNumber(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "null"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// writeString writes s as a JSON string. Bytes that are not valid UTF-8 are
// kept as they are, so that Parse gives s back unchanged.
func writeString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
