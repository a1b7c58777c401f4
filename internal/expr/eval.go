package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// evalCtx evaluates the nodes of one expression against one Env.
type evalCtx struct {
	env *Env
	src string
}

func (c evalCtx) eval(n *node) (value, error) {
	switch n.kind {
	case nString:
		return strV(n.s), nil
	case nInt:
		return intV(n.i), nil
	case nAttr:
		if c.env.Attr == nil {
			return null, nil
		}
		a, ok := c.env.Attr(n.s)
		if !ok {
			return null, nil
		}
		v, err := fromAttr(a)
		if err != nil {
			return null, fmt.Errorf("[%s]: %w", n.s, err)
		}
		return v, nil
	case nCompare:
		return c.compare(n)
	case nCall:
		return n.fn.call(c, n)
	}
	return null, nil // nEmpty
}

// errorf is a runtime error of the function n calls.
func (c evalCtx) errorf(n *node, format string, args ...any) error {
	return fmt.Errorf(n.fn.name+": "+format, args...)
}

// source is the source text of argument i of n.
func (c evalCtx) source(n *node, i int) string {
	a := n.args[i]
	return c.src[a.pos:a.end]
}

// arg evaluates argument i of n; null if n has fewer arguments.
func (c evalCtx) arg(n *node, i int) (value, error) {
	if i >= len(n.args) {
		return null, nil
	}
	return c.eval(n.args[i])
}

// text evaluates argument i of n as one string; ok false: null.
func (c evalCtx) text(n *node, i int) (s string, ok bool, err error) {
	v, err := c.arg(n, i)
	if err != nil || v.k == kNull {
		return "", false, err
	}
	s, err = c.single(n, i, v)
	return s, err == nil, err
}

// single is v, argument i of n, as one string; a multi-valued v is an
// error (Entra fails too).
func (c evalCtx) single(n *node, i int, v value) (string, error) {
	s, ok := v.text()
	if !ok {
		return "", c.errorf(n, "%s is multi-valued; use Join or Item", c.source(n, i))
	}
	return s, nil
}

// integer evaluates argument i of n as an integer; ok false: null.
func (c evalCtx) integer(n *node, i int) (x int64, ok bool, err error) {
	v, err := c.arg(n, i)
	if err != nil || v.k == kNull {
		return 0, false, err
	}
	return c.toInt(n, i, v)
}

func (c evalCtx) toInt(n *node, i int, v value) (int64, bool, error) {
	switch v.k {
	case kInt:
		return v.n, true, nil
	case kString:
		x, err := strconv.ParseInt(strings.TrimSpace(v.s), 10, 64)
		if err != nil {
			return 0, false, c.errorf(n, "%q is not a number", v.s)
		}
		return x, true, nil
	}
	s, err := c.single(n, i, v)
	if err != nil {
		return 0, false, err
	}
	return 0, false, c.errorf(n, "%s is not a number", s)
}

// boolean evaluates argument i of n as a boolean: a bool, a non-zero
// number, or a string scim.ParseBool reads; ok false: null.
func (c evalCtx) boolean(n *node, i int) (b, ok bool, err error) {
	v, err := c.arg(n, i)
	if err != nil || v.k == kNull {
		return false, false, err
	}
	switch v.k {
	case kBool, kInt:
		return v.n != 0, true, nil
	case kString:
		if x, err := strconv.ParseInt(strings.TrimSpace(v.s), 10, 64); err == nil {
			return x != 0, true, nil
		}
		b, err := scim.ParseBool(v.s)
		if err != nil {
			return false, false, c.errorf(n, "%q is not a boolean", v.s)
		}
		return b, true, nil
	}
	s, err := c.single(n, i, v)
	if err != nil {
		return false, false, err
	}
	return false, false, c.errorf(n, "%s is not a boolean", s)
}

// date evaluates argument i of n as a DateTime: a DateTime, or a string
// in a form parseDate reads; ok false: null.
func (c evalCtx) date(n *node, i int) (t time.Time, ok bool, err error) {
	v, err := c.arg(n, i)
	if err != nil || v.k == kNull {
		return time.Time{}, false, err
	}
	if v.k == kDate {
		return v.t, true, nil
	}
	s, err := c.single(n, i, v)
	if err != nil {
		return time.Time{}, false, err
	}
	t, err = parseDate(s)
	if err != nil {
		return time.Time{}, false, c.errorf(n, "%q is not a date", s)
	}
	return t, true, nil
}

// compare evaluates a comparison (IIF's condition). Null compares as "";
// a number compares numerically with a number or a numeric string, a bool
// with a boolean string, DateTimes by time, anything else as strings,
// ordinally and case-sensitively (as Switch).
func (c evalCtx) compare(n *node) (value, error) {
	a, err := c.eval(n.args[0])
	if err != nil {
		return null, err
	}
	b, err := c.eval(n.args[1])
	if err != nil {
		return null, err
	}
	r, err := c.order(n, a, b)
	if err != nil {
		return null, err
	}
	switch n.op {
	case opEq:
		return boolV(r == 0), nil
	case opNe:
		return boolV(r != 0), nil
	case opLt:
		return boolV(r < 0), nil
	case opLe:
		return boolV(r <= 0), nil
	case opGt:
		return boolV(r > 0), nil
	}
	return boolV(r >= 0), nil
}

func (c evalCtx) order(n *node, a, b value) (int, error) {
	for i, v := range [2]value{a, b} {
		if v.k == kList || v.k == kComplex {
			return 0, fmt.Errorf("comparison: %s is multi-valued; use Join or Item", c.src[n.args[i].pos:n.args[i].end])
		}
	}
	if rank(b.k) > rank(a.k) {
		return -ordered(b, a), nil
	}
	return ordered(a, b), nil
}

// rank orders the kinds that decide how a comparison compares.
func rank(k kind) int {
	switch k {
	case kInt:
		return 3
	case kBool:
		return 2
	case kDate:
		return 1
	}
	return 0
}

// ordered compares a and b, a of the higher rank.
func ordered(a, b value) int {
	switch a.k {
	case kInt:
		if b.k == kInt {
			return cmpInt(a.n, b.n)
		}
		if y, err := strconv.ParseInt(strings.TrimSpace(b.s), 10, 64); b.k == kString && err == nil {
			return cmpInt(a.n, y)
		}
	case kBool:
		if b.k == kBool {
			return cmpInt(a.n, b.n)
		}
		if y, err := scim.ParseBool(b.s); b.k == kString && err == nil {
			return cmpInt(a.n, boolInt(y))
		}
	case kDate:
		if b.k == kDate {
			return a.t.Compare(b.t)
		}
		if y, err := parseDate(b.s); b.k == kString && err == nil {
			return a.t.Compare(y)
		}
	}
	x, _ := a.text()
	y, _ := b.text()
	return strings.Compare(x, y)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
