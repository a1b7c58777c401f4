package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxLength is the longest expression [Parse] accepts, in bytes. Entra
// accepts 10,000 characters ("Reference for writing expressions",
// "Syntax overview"); Provisio leaves room for generated expressions.
const MaxLength = 65536

// maxDepth bounds the nesting of function calls, so that parsing and
// evaluation recurse a bounded number of levels whatever the input.
const maxDepth = 128

// SyntaxError is an expression [Parse] rejects.
type SyntaxError struct {
	Pos  int    // 0-based byte offset in the source
	Msg  string // what is wrong
	Hint string // a suggestion, or ""
}

// Error reads `at 14: unknown function "Jion" (hint: did you mean "Join"?)`.
func (e *SyntaxError) Error() string {
	if e.Hint == "" {
		return fmt.Sprintf("at %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("at %d: %s (hint: %s)", e.Pos, e.Msg, e.Hint)
}

type nodeKind uint8

const (
	nEmpty   nodeKind = iota // an empty argument: null
	nString                  // "literal"
	nInt                     // 42, -7, &HF7
	nAttr                    // [attribute]
	nCall                    // Function(args)
	nCompare                 // a = b, a <> b, a < b, ...
)

// cmpOp is a comparison operator of IIF's condition.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var cmpOps = []struct {
	text string
	op   cmpOp
}{ // two-character operators first
	{"<>", opNe}, {"<=", opLe}, {">=", opGe}, {"=", opEq}, {"<", opLt}, {">", opGt},
}

// node is one parsed expression; src[pos:end] is its source text.
type node struct {
	kind     nodeKind
	pos, end int
	s        string // nString: the value; nAttr: the name
	i        int64  // nInt
	op       cmpOp  // nCompare: args[0] op args[1]
	fn       *function
	args     []*node
	compiled any // a function's parse-time work (Replace: its regexp)
}

// parser is a recursive-descent parser over the source bytes.
type parser struct {
	src   string
	pos   int
	depth int
	attrs []string
	funcs uint64 // bit fn.id set for each function used
}

// Parse compiles src once; evaluation never re-parses. Errors are
// *[SyntaxError].
func Parse(src string) (*Expr, error) {
	if len(src) > MaxLength {
		return nil, &SyntaxError{Pos: MaxLength, Msg: fmt.Sprintf("expression is %d bytes long, longer than %d", len(src), MaxLength)}
	}
	p := &parser{src: src}
	p.space()
	if p.eof() {
		return nil, p.errorf(p.pos, "", "empty expression")
	}
	root, err := p.argument()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eof() {
		hint := "an expression is one value; join values with Join or Append"
		if p.src[p.pos] == ')' {
			hint = "one ) too many"
		}
		return nil, p.errorf(p.pos, hint, "unexpected %q after the end of the expression", p.token())
	}
	return &Expr{src: src, root: root, attrs: p.attrs, funcs: p.funcs}, nil
}

func (p *parser) errorf(pos int, hint, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

func (p *parser) eof() bool { return p.pos >= len(p.src) }

func (p *parser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.pos++
		default:
			return
		}
	}
}

// token is the text at p.pos for a message: one token's worth.
func (p *parser) token() string {
	rest := p.src[p.pos:]
	if i := strings.IndexAny(rest, " \t\r\n,()[]\""); i > 0 {
		rest = rest[:i]
	} else if i == 0 {
		rest = rest[:1]
	}
	if len(rest) > 20 {
		rest = rest[:20] + "…"
	}
	return rest
}

// argument parses an operand, or a comparison of two operands.
func (p *parser) argument() (*node, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	p.space()
	for _, c := range cmpOps {
		if !strings.HasPrefix(p.src[p.pos:], c.text) {
			continue
		}
		p.pos += len(c.text)
		p.space()
		right, err := p.operand()
		if err != nil {
			return nil, err
		}
		return &node{kind: nCompare, op: c.op, pos: left.pos, end: right.end, args: []*node{left, right}}, nil
	}
	return left, nil
}

const wantOperand = `want a function call, an [attribute], a "string" or a number`

// operand parses a function call, an attribute, a literal or a constant.
func (p *parser) operand() (*node, error) {
	if p.eof() {
		return nil, p.errorf(p.pos, "", "unexpected end of expression: %s", wantOperand)
	}
	switch c := p.src[p.pos]; {
	case c == '[':
		return p.attribute()
	case c == '"':
		return p.str()
	case isDigit(c) || c == '-' && p.pos+1 < len(p.src) && isDigit(p.src[p.pos+1]):
		return p.number()
	case c == '&' && p.pos+1 < len(p.src) && (p.src[p.pos+1] == 'H' || p.src[p.pos+1] == 'h'):
		return p.hex()
	case isLetter(c):
		return p.call()
	}
	return nil, p.errorf(p.pos, "", "unexpected %q: %s", p.token(), wantOperand)
}

// attribute parses [name]: everything up to ], trimmed.
func (p *parser) attribute() (*node, error) {
	start := p.pos
	for i := start + 1; i < len(p.src); i++ {
		switch c := p.src[i]; c {
		case ']':
			name := strings.TrimSpace(p.src[start+1 : i])
			if name == "" {
				return nil, p.errorf(start, "", "empty attribute name []")
			}
			p.pos = i + 1
			p.addAttr(name)
			return &node{kind: nAttr, pos: start, end: p.pos, s: name}, nil
		case '[', '"', '(', ')', ',', '\n', '\r':
			return nil, p.errorf(start, fmt.Sprintf("close the attribute name before %q", c), "unbalanced [")
		}
	}
	return nil, p.errorf(start, "", "unbalanced [: no ] closes it")
}

func (p *parser) addAttr(name string) {
	for _, a := range p.attrs {
		if strings.EqualFold(a, name) {
			return
		}
	}
	p.attrs = append(p.attrs, name)
}

// str parses a "string" literal: \" is a quote and \\ a backslash (Entra's
// rule); any other backslash stands for itself, so "\d" is \d.
func (p *parser) str() (*node, error) {
	start := p.pos
	var b strings.Builder
	escaped := false
	for i := start + 1; i < len(p.src); i++ {
		switch p.src[i] {
		case '"':
			s := p.src[start+1 : i]
			if escaped {
				s = b.String()
			}
			p.pos = i + 1
			return &node{kind: nString, pos: start, end: p.pos, s: s}, nil
		case '\\':
			if i+1 < len(p.src) && (p.src[i+1] == '"' || p.src[i+1] == '\\') {
				if !escaped {
					escaped = true
					b.WriteString(p.src[start+1 : i])
				}
				i++
				b.WriteByte(p.src[i])
				continue
			}
		}
		if escaped {
			b.WriteByte(p.src[i])
		}
	}
	return nil, p.errorf(start, `end it with "; write \" for a quote inside`, "unterminated string")
}

// number parses a decimal integer, optionally negative.
func (p *parser) number() (*node, error) {
	start := p.pos
	p.pos++
	for !p.eof() && isDigit(p.src[p.pos]) {
		p.pos++
	}
	n, err := strconv.ParseInt(p.src[start:p.pos], 10, 64)
	if err != nil {
		return nil, p.errorf(start, "", "number %s is out of range", p.src[start:p.pos])
	}
	if !p.eof() && (isLetter(p.src[p.pos]) || p.src[p.pos] == '.') {
		return nil, p.errorf(p.pos, "numbers are integers; quote other values", "unexpected %q after number", p.token())
	}
	return &node{kind: nInt, pos: start, end: p.pos, i: n}, nil
}

// hex parses a VBA hexadecimal literal, &HF7 (BitAnd's documented example).
func (p *parser) hex() (*node, error) {
	start := p.pos
	p.pos += 2
	for !p.eof() && isHexDigit(p.src[p.pos]) {
		p.pos++
	}
	n, err := strconv.ParseUint(p.src[start+2:p.pos], 16, 63)
	if err != nil {
		return nil, p.errorf(start, "", "bad hexadecimal number %q", p.src[start:p.pos])
	}
	return &node{kind: nInt, pos: start, end: p.pos, i: int64(n)}, nil
}

// constants are the bare names an argument may be (InStr's compareType).
var constants = map[string]int64{"vbbinarycompare": 0, "vbtextcompare": 1}

// call parses Name(arg, ...), or one of the named constants.
func (p *parser) call() (*node, error) {
	start := p.pos
	for !p.eof() && (isLetter(p.src[p.pos]) || isDigit(p.src[p.pos]) || p.src[p.pos] == '_') {
		p.pos++
	}
	name := p.src[start:p.pos]
	p.space()
	if p.eof() || p.src[p.pos] != '(' {
		if v, ok := constants[strings.ToLower(name)]; ok {
			return &node{kind: nInt, pos: start, end: start + len(name), i: v}, nil
		}
		hint := fmt.Sprintf("write [%s] for an attribute or \"%s\" for a string", name, name)
		if _, ok := lookup(name); ok {
			hint = fmt.Sprintf("call it: %s(...)", name)
		}
		return nil, p.errorf(start, hint, "unknown name %q", name)
	}
	fn, ok := lookup(name)
	if !ok {
		hint := ""
		if s := suggest(name); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		return nil, p.errorf(start, hint, "unknown function %q", name)
	}
	if p.depth++; p.depth > maxDepth {
		return nil, p.errorf(start, "", "functions nested deeper than %d levels", maxDepth)
	}
	p.funcs |= 1 << fn.id
	open := p.pos
	p.pos++ // (
	n := &node{kind: nCall, pos: start, fn: fn}
	for first := true; ; first = false {
		p.space()
		if p.eof() {
			return nil, p.errorf(p.pos, fmt.Sprintf("close %s( at %d", name, open), "missing )")
		}
		var arg *node
		switch p.src[p.pos] {
		case ')':
			if first {
				break // no arguments at all
			}
			fallthrough
		case ',':
			arg = &node{kind: nEmpty, pos: p.pos, end: p.pos}
		default:
			var err error
			if arg, err = p.argument(); err != nil {
				return nil, err
			}
			p.space()
		}
		if arg != nil {
			n.args = append(n.args, arg)
		}
		if p.eof() {
			return nil, p.errorf(p.pos, fmt.Sprintf("close %s( at %d", name, open), "missing )")
		}
		if p.src[p.pos] == ')' {
			p.pos++
			break
		}
		if p.src[p.pos] != ',' {
			return nil, p.errorf(p.pos, "separate arguments with a comma", "unexpected %q in the arguments of %s", p.token(), fn.name)
		}
		p.pos++
	}
	n.end = p.pos
	p.depth--
	if msg := fn.checkArity(len(n.args)); msg != "" {
		return nil, p.errorf(start, "", "%s", msg)
	}
	if fn.check != nil {
		if err := fn.check(n); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// checkArity describes a wrong number of arguments, or is "".
func (fn *function) checkArity(got int) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case fn.min == fn.max && got != fn.min && fn.min == 0:
		return fmt.Sprintf("%s takes no arguments, got %d", fn.name, got)
	case fn.min == fn.max && got != fn.min:
		return fmt.Sprintf("%s takes %s, got %d", fn.name, plural(fn.min), got)
	case fn.max < 0 && got < fn.min:
		return fmt.Sprintf("%s takes at least %s, got %d", fn.name, plural(fn.min), got)
	case fn.max >= 0 && (got < fn.min || got > fn.max):
		return fmt.Sprintf("%s takes %d to %d arguments, got %d", fn.name, fn.min, fn.max, got)
	}
	return ""
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isLetter(c byte) bool   { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isHexDigit(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// suggest is the function name closest to name, or "" if none is close.
func suggest(name string) string {
	best, bestD := "", 3
	lower := strings.ToLower(name)
	for _, fn := range functions {
		if d := distance(lower, strings.ToLower(fn.name)); d < bestD && d < len(name) {
			best, bestD = fn.name, d
		}
	}
	return best
}

// distance is the optimal string alignment distance of a and b (edits,
// with a transposition of neighbours as one edit).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
