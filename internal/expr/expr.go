package expr

import (
	"io"
	"slices"
	"time"
)

// Expr is a parsed expression, safe for concurrent evaluation.
type Expr struct {
	src   string
	root  *node
	attrs []string
	funcs uint64 // bit fn.id set for each function used
}

// Env is what an expression is evaluated against: one source object.
type Env struct {
	// Attr returns a source attribute by name, case-insensitively (the
	// caller does that): a string, bool, int64 or []string (multi-valued,
	// e.g. proxyAddresses, members, appRoleAssignments). ok false: absent
	// (null).
	Attr func(name string) (any, bool)
	// Now is the clock of Now(); nil: time.Now.
	Now func() time.Time
	// Rand is the randomness of Guid() and RandomString; nil: crypto/rand.
	Rand io.Reader
	// Taken reports whether a candidate value is already used on the
	// target (SelectUniqueValue); nil: no check, the first non-null
	// candidate wins.
	Taken func(value string) (bool, error)
}

// String is the source text as given to [Parse].
func (e *Expr) String() string { return e.src }

// Attributes lists the [attribute] names the expression references, in
// order of first use, deduplicated case-insensitively.
func (e *Expr) Attributes() []string { return slices.Clone(e.attrs) }

// UsesFunction reports whether the expression calls the function name
// (case-insensitive), anywhere in it.
func (e *Expr) UsesFunction(name string) bool {
	fn, ok := lookup(name)
	return ok && e.funcs&(1<<fn.id) != 0
}

// Redacted reports whether the expression is a call of Redact: logs show
// its value as "[Redact]".
func (e *Expr) Redacted() bool { return e.root.kind == nCall && e.root.fn == fnRedact }

// Eval evaluates the expression against one object. ok false means null:
// the attribute does not flow. Values are string, bool, int64, []string
// (multi-valued) or []map[string]any (complex, e.g. roles); a DateTime
// leaves as Entra's string form, M/d/yyyy h:mm:ss tt in UTC. err is a
// runtime failure naming the function and the reason.
func (e *Expr) Eval(env *Env) (v any, ok bool, err error) {
	if env == nil {
		env = &Env{}
	}
	c := evalCtx{env: env, src: e.src}
	val, err := c.eval(e.root)
	if err != nil {
		return nil, false, err
	}
	v, ok = val.out()
	return v, ok, nil
}

// Eval parses src and evaluates it against env.
func Eval(src string, env *Env) (any, bool, error) {
	e, err := Parse(src)
	if err != nil {
		return nil, false, err
	}
	return e.Eval(env)
}

// Functions lists the supported function names as Entra spells them,
// sorted (sort.Strings order).
func Functions() []string {
	names := make([]string, len(functions))
	for i, fn := range functions {
		names[i] = fn.name
	}
	slices.Sort(names)
	return names
}
