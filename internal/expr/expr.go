// Package expr is Entra's attribute-mapping expression language.
//
// STUB: this placeholder carries the package's API so that its users can
// be written in parallel; it parses only `[attribute]`, `"string"` and
// Not(...). The real implementation replaces this file.
package expr

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxLength is the longest expression accepted.
const MaxLength = 65536

// SyntaxError is a parse error at a byte offset of the source.
type SyntaxError struct {
	Pos       int
	Msg, Hint string
}

func (e *SyntaxError) Error() string {
	if e.Hint != "" {
		return fmt.Sprintf("at %d: %s (hint: %s)", e.Pos, e.Msg, e.Hint)
	}
	return fmt.Sprintf("at %d: %s", e.Pos, e.Msg)
}

// Env is what an expression reads.
type Env struct {
	Attr  func(name string) (any, bool)
	Now   func() time.Time
	Rand  io.Reader
	Taken func(value string) (bool, error)
}

// Expr is a parsed expression.
type Expr struct {
	src   string
	attr  string // [attr]
	lit   *string
	not   *Expr
	attrs []string
}

// Parse compiles src.
func Parse(src string) (*Expr, error) {
	e, err := parse(strings.TrimSpace(src))
	if err != nil {
		return nil, err
	}
	e.src = src
	return e, nil
}

func parse(s string) (*Expr, error) {
	switch {
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") && len(s) > 2:
		return &Expr{attr: s[1 : len(s)-1], attrs: []string{s[1 : len(s)-1]}}, nil
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		v := s[1 : len(s)-1]
		return &Expr{lit: &v}, nil
	case len(s) > 5 && strings.EqualFold(s[:4], "Not(") && strings.HasSuffix(s, ")"):
		inner, err := parse(strings.TrimSpace(s[4 : len(s)-1]))
		if err != nil {
			return nil, err
		}
		return &Expr{not: inner, attrs: inner.attrs}, nil
	}
	return nil, &SyntaxError{Pos: 0, Msg: "only [attribute], \"string\" and Not(...) are supported by this stub"}
}

// String returns the source text.
func (e *Expr) String() string { return e.src }

// Attributes lists the attributes referenced.
func (e *Expr) Attributes() []string { return e.attrs }

// UsesFunction reports whether the expression calls the named function.
func (e *Expr) UsesFunction(name string) bool {
	return e.not != nil && strings.EqualFold(name, "Not") || e.not != nil && e.not.UsesFunction(name)
}

// Redacted reports whether the top-level call is Redact.
func (e *Expr) Redacted() bool { return false }

// Eval evaluates the expression; ok false is null.
func (e *Expr) Eval(env *Env) (any, bool, error) {
	switch {
	case e.lit != nil:
		return *e.lit, true, nil
	case e.not != nil:
		v, ok, err := e.not.Eval(env)
		if err != nil || !ok {
			return nil, false, err
		}
		b, isBool := v.(bool)
		if !isBool {
			return nil, false, fmt.Errorf("Not: %v is not a boolean", v)
		}
		return !b, true, nil
	}
	v, ok := env.Attr(e.attr)
	return v, ok, nil
}

// Eval parses and evaluates src.
func Eval(src string, env *Env) (any, bool, error) {
	e, err := Parse(src)
	if err != nil {
		return nil, false, err
	}
	return e.Eval(env)
}

// Functions lists the supported functions.
func Functions() []string { return []string{"Not"} }
