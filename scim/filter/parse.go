package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/scim"
)

// Limits of [Parse] and [ParsePath]. They bound the work one filter can
// cause (parsing, compiling, evaluating and the SQL a store derives from
// it) far above what clients send: Entra ID and Okta send one clause.
// Input over a limit is a *[SyntaxError] naming the limit.
const (
	// MaxLength is the longest filter or path accepted, in bytes.
	MaxLength = 64 << 10
	// MaxClauses bounds the comparisons (`attr op value`, `attr pr`,
	// including those inside value filters) of one filter.
	MaxClauses = 1000
	// MaxDepth bounds the nesting of parentheses, "not" and value filters.
	MaxDepth = 64
)

// SyntaxError reports a filter or path that does not follow the grammar.
// The server answers it with 400 invalidFilter (or invalidPath for PATCH).
type SyntaxError struct {
	Pos int    // 1-based column (in characters) where the problem was found
	Msg string // what was expected and what was found
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("at column %d: %s", e.Pos, e.Msg)
}

// Parse parses a filter (RFC 7644 §3.4.2.2):
//
//	FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//	valuePath = attrPath "[" valFilter "]"
//	attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//	logExp    = FILTER SP ("and" / "or") SP FILTER
//
// plus grouping parentheses and Entra's `emails[type eq "work"].value eq "x"`
// (see [Compare]). "and" binds tighter than "or"; both associate to the
// left. Keywords, operators and true/false/null are case-insensitive;
// attribute names keep the client's spelling (see [Compile]). Whitespace
// between tokens may be any run of spaces, tabs or newlines.
// Input over [MaxLength], [MaxClauses] or [MaxDepth] is refused. Errors
// are *[SyntaxError].
func Parse(s string, opts Options) (Expr, error) {
	p := &parser{s: s, opts: opts}
	if err := p.checkLength("filter"); err != nil {
		return nil, err
	}
	e, err := p.parseOr(false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.expected(`"and", "or" or end of filter`)
	}
	return e, nil
}

// ParsePath parses a PATCH path (RFC 7644 §3.5.2):
//
//	PATH = attrPath / valuePath [subAttr]
//
// e.g. `members`, `name.givenName`, `emails[type eq "work"].value`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
// Leading and trailing whitespace is ignored. The limits are those of
// [Parse]. Errors are *[SyntaxError].
func ParsePath(s string, opts Options) (Path, error) {
	p := &parser{s: s, opts: opts}
	if err := p.checkLength("path"); err != nil {
		return Path{}, err
	}
	p.skipSpace()
	ap, filter, sub, err := p.parseAttrPath(false)
	if err != nil {
		return Path{}, err
	}
	p.skipSpace()
	if !p.eof() {
		return Path{}, p.expected("end of path")
	}
	return Path{Attr: ap, Filter: filter, Sub: sub}, nil
}

type parser struct {
	s       string
	pos     int // byte offset into s
	opts    Options
	depth   int
	clauses int
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isDelim reports whether c ends an attribute path or operator token.
func isDelim(c byte) bool {
	return isSpace(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"'
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

// token returns the run of characters from the current position up to the
// next delimiter (per stop) without consuming it.
func (p *parser) token(stop func(byte) bool) string {
	end := p.pos
	for end < len(p.s) && !stop(p.s[end]) {
		end++
	}
	return p.s[p.pos:end]
}

// errAt builds a *SyntaxError at byte offset pos.
func (p *parser) errAt(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: utf8.RuneCountInString(p.s[:pos]) + 1, Msg: fmt.Sprintf(format, args...)}
}

// expected reports that what was expected is not at the current position.
func (p *parser) expected(what string) *SyntaxError {
	return p.errAt(p.pos, "expected %s, found %s", what, p.found())
}

// found describes the token at the current position for error messages.
func (p *parser) found() string {
	if p.eof() {
		return "end of input"
	}
	if isDelim(p.s[p.pos]) {
		return strconv.Quote(p.s[p.pos : p.pos+1])
	}
	tok := p.token(isDelim)
	if len(tok) > 64 {
		tok = tok[:64] + "..."
	}
	return strconv.Quote(tok)
}

// keyword consumes kw (case-insensitively, after optional whitespace) if it
// is followed by whitespace, "(" or the end of input.
func (p *parser) keyword(kw string) bool {
	i := p.pos
	for i < len(p.s) && isSpace(p.s[i]) {
		i++
	}
	end := i + len(kw)
	if end > len(p.s) || !strings.EqualFold(p.s[i:end], kw) {
		return false
	}
	if end < len(p.s) && !isSpace(p.s[end]) && p.s[end] != '(' {
		return false
	}
	p.pos = end
	return true
}

// checkLength refuses input over MaxLength before any other work.
func (p *parser) checkLength(what string) error {
	if len(p.s) > MaxLength {
		return p.errAt(MaxLength, "%s is %d bytes long, over the limit of %d bytes", what, len(p.s), MaxLength)
	}
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errAt(p.pos, "filter nested more than %d levels deep", MaxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseOr parses `and-expr *("or" and-expr)`. inner is true inside a value
// filter, where attribute paths name sub-attributes.
func (p *parser) parseOr(inner bool) (Expr, error) {
	l, err := p.parseAnd(inner)
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		r, err := p.parseAnd(inner)
		if err != nil {
			return nil, err
		}
		l = &Or{L: l, R: r}
	}
	return l, nil
}

func (p *parser) parseAnd(inner bool) (Expr, error) {
	l, err := p.parseUnary(inner)
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		r, err := p.parseUnary(inner)
		if err != nil {
			return nil, err
		}
		l = &And{L: l, R: r}
	}
	return l, nil
}

// parseUnary parses `"(" filter ")"`, `"not" "(" filter ")"` or an
// attribute expression.
func (p *parser) parseUnary(inner bool) (Expr, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.expected(`attribute path, "not" or "("`)
	}
	if p.s[p.pos] == '(' {
		return p.parseGroup(inner)
	}
	if p.keyword("not") {
		p.skipSpace()
		if p.eof() || p.s[p.pos] != '(' {
			return nil, p.expected(`"(" after "not"`)
		}
		x, err := p.parseGroup(inner)
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	}
	return p.parseAttrExp(inner)
}

// parseGroup parses `"(" filter ")"`; the current byte is "(".
func (p *parser) parseGroup(inner bool) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos++
	e, err := p.parseOr(inner)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() || p.s[p.pos] != ')' {
		return nil, p.expected(`")"`)
	}
	p.pos++
	return e, nil
}

// parseAttrExp parses `attrPath op [value]`, `attrPath[filter]` or
// `attrPath[filter].sub op [value]`.
func (p *parser) parseAttrExp(inner bool) (Expr, error) {
	start := p.pos
	path, filter, sub, err := p.parseAttrPath(inner)
	if err != nil {
		return nil, err
	}
	if filter != nil {
		if sub == "" {
			return &ValuePath{Path: path, Filter: filter}, nil // its clauses are counted
		}
		path.Sub = sub
	}
	p.clauses++
	if p.clauses > MaxClauses {
		return nil, p.errAt(start, "filter has more than the limit of %d clauses", MaxClauses)
	}
	op, err := p.parseOp()
	if err != nil {
		return nil, err
	}
	c := &Compare{Path: path, Filter: filter, Op: op}
	if op == Pr {
		return c, nil
	}
	if c.Value, err = p.parseValue(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseAttrPath parses `attrPath ["[" valFilter "]" ["." subAttr]]`.
// Inside a value filter (inner) only a bare sub-attribute name is allowed.
func (p *parser) parseAttrPath(inner bool) (path scim.AttrPath, filter Expr, sub string, err error) {
	start := p.pos
	tok := p.token(isDelim)
	if inner {
		if !validName(tok) {
			return path, nil, "", p.expected("sub-attribute name")
		}
		path.Name = tok
	} else if path, err = scim.ParseAttrPath(tok); tok == "" || err != nil {
		return path, nil, "", p.expected("attribute path")
	}
	p.pos += len(tok)
	if p.eof() || p.s[p.pos] != '[' {
		return path, nil, "", nil
	}
	switch {
	case inner:
		return path, nil, "", p.errAt(p.pos, "value filters cannot be nested")
	case path.Sub != "":
		return path, nil, "", p.errAt(start, "value filter on sub-attribute %q; put it on the attribute", tok)
	}
	if filter, err = p.parseValFilter(); err != nil {
		return path, nil, "", err
	}
	if p.eof() || p.s[p.pos] != '.' {
		return path, filter, "", nil
	}
	p.pos++
	sub = p.token(isDelim)
	if !validName(sub) {
		return path, nil, "", p.expected("sub-attribute name")
	}
	p.pos += len(sub)
	return path, filter, sub, nil
}

// parseValFilter parses `"[" valFilter "]"`; the current byte is "[".
func (p *parser) parseValFilter() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	p.pos++
	filter, err := p.parseOr(true)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() || p.s[p.pos] != ']' {
		return nil, p.expected(`"]"`)
	}
	p.pos++
	return filter, nil
}

// validName reports whether s is an ATTRNAME (RFC 7643 §2.1), also allowing
// "$ref". It shares scim.ParseAttrPath's rule.
func validName(s string) bool {
	if s == "" || strings.ContainsAny(s, ".:") {
		return false
	}
	_, err := scim.ParseAttrPath(s)
	return err == nil
}

func (p *parser) parseOp() (Op, error) {
	p.skipSpace()
	tok := p.token(isDelim)
	for _, op := range [...]Op{Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le, Pr} {
		if strings.EqualFold(tok, string(op)) {
			p.pos += len(tok)
			return op, nil
		}
	}
	return "", p.expected("comparison operator")
}

// isValueEnd reports whether c ends an unquoted value.
func isValueEnd(c byte) bool { return isSpace(c) || c == ')' || c == ']' }

// parseValue parses compValue = false / null / true / number / string,
// or, in lenient mode, any other unquoted token as a string.
func (p *parser) parseValue() (any, error) {
	p.skipSpace()
	if p.eof() {
		return nil, p.expected("comparison value")
	}
	if p.s[p.pos] == '"' {
		return p.parseString()
	}
	tok := p.token(isValueEnd)
	var v any
	switch {
	case tok == "":
		return nil, p.expected("comparison value")
	case strings.EqualFold(tok, "true"):
		v = true
	case strings.EqualFold(tok, "false"):
		v = false
	case strings.EqualFold(tok, "null"):
		v = nil
	case isJSONNumber(tok):
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return nil, p.errAt(p.pos, "number %s out of range", tok)
		}
		v = f
	case p.opts.Lenient:
		v = tok
	default:
		return nil, p.expected("comparison value (quoted string, number, true, false or null)")
	}
	p.pos += len(tok)
	return v, nil
}

// isJSONNumber reports whether s is a JSON number (RFC 8259 §6):
// [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ("e"/"E") ["+"/"-"] 1*DIGIT ].
func isJSONNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

// parseString parses a JSON string (RFC 8259 §7); the current byte is '"'.
func (p *parser) parseString() (string, error) {
	start := p.pos
	escaped := false
	i := start + 1
	for ; i < len(p.s) && p.s[i] != '"'; i++ {
		if p.s[i] == '\\' {
			escaped = true
			i++
		}
	}
	if i >= len(p.s) {
		return "", p.errAt(start, "unterminated string")
	}
	p.pos = i + 1
	if !escaped {
		return p.s[start+1 : i], nil
	}
	return p.unescape(start+1, i)
}

// unescape decodes the JSON string body p.s[from:to].
func (p *parser) unescape(from, to int) (string, error) {
	b := make([]byte, 0, to-from)
	for i := from; i < to; i++ {
		c := p.s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		i++
		switch p.s[i] {
		case '"', '\\', '/':
			b = append(b, p.s[i])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, n, ok := decodeU(p.s[i+1 : to])
			if !ok {
				return "", p.errAt(i-1, `invalid \u escape in string`)
			}
			b = utf8.AppendRune(b, r)
			i += n
		default:
			return "", p.errAt(i-1, "invalid escape %q in string", p.s[i-1:i+1])
		}
	}
	return string(b), nil
}

// decodeU decodes the XXXX of a \uXXXX escape at the start of s, combining a
// following \uXXXX low surrogate; it returns the rune and the bytes used.
// Unpaired surrogates decode to U+FFFD, as encoding/json does.
func decodeU(s string) (rune, int, bool) {
	r, ok := hex4(s)
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 4, true
	}
	if len(s) >= 10 && s[4] == '\\' && s[5] == 'u' {
		if r2, ok := hex4(s[6:]); ok {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 10, true
			}
		}
	}
	return utf8.RuneError, 4, true
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(s[:4], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
