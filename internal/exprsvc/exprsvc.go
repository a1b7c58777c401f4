package exprsvc

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/scim"
)

// ErrInvalid is an expression that does not parse or fails to evaluate,
// or a request without what it needs; a parse error also unwraps to its
// *expr.SyntaxError (the position).
var ErrInvalid = svcerr.New(svcerr.Invalid, "", "invalid expression request")

// Directory is what the sandbox reads of the directory (*dirsvc.Service).
type Directory interface {
	GetUser(ctx context.Context, ref string) (directory.User, error)
	GetApp(ctx context.Context, ref string) (directory.App, error)
}

// Jobs gives an object as an application's job sees it (*jobs.Service).
type Jobs interface {
	Object(ctx context.Context, appID string, t provisioning.ObjectType, sourceID string) (*provisioning.Object, string, error)
}

// Request is one evaluation.
type Request struct {
	Expression string
	// User is a userPrincipalName or object id; empty: only Attributes.
	User string
	// App is an application id or name: the user as its job sees it.
	// It needs User.
	App string
	// Attributes set or override attributes by name; more than one value
	// makes a multi-valued attribute.
	Attributes map[string][]string
}

// Value types of a Result.
const (
	TypeString  = "string"
	TypeBoolean = "boolean"
	TypeInteger = "integer"
	TypeList    = "list"    // []string, a multi-valued attribute
	TypeComplex = "complex" // []map[string]any, e.g. app roles
	TypeNull    = "null"
)

// Result is an expression's value.
type Result struct {
	// Value is a string, bool, int64, []string or []map[string]any; nil
	// when Null (the attribute does not flow).
	Value any
	Null  bool
	Type  string
	// Scope is the job's scope decision for the user, with App.
	Scope string
}

// Service evaluates expressions. It is safe for concurrent use.
type Service struct {
	dir  Directory
	jobs Jobs
	now  func() time.Time
}

// New returns a Service; jobs may be nil (App is then refused).
func New(dir Directory, jobs Jobs) *Service {
	return &Service{dir: dir, jobs: jobs, now: time.Now}
}

// Evaluate parses and evaluates r.Expression against r's object.
func (s *Service) Evaluate(ctx context.Context, r Request) (Result, error) {
	e, err := expr.Parse(r.Expression)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrInvalid.With("expression"), err)
	}
	obj, scope, err := s.object(ctx, r)
	if err != nil {
		return Result{}, err
	}
	given, err := attributes(r.Attributes)
	if err != nil {
		return Result{}, err
	}
	env := &expr.Env{Now: s.now, Attr: func(name string) (any, bool) {
		if v, ok := given[strings.ToLower(name)]; ok {
			return v, true
		}
		if obj == nil {
			return nil, false
		}
		return obj.Attr(name)
	}}
	v, ok, err := e.Eval(env)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrInvalid.With("evaluate"), err)
	}
	res := Result{Value: v, Null: !ok, Type: typeOf(v, ok), Scope: scope}
	if !ok {
		res.Value = nil
	}
	return res, nil
}

// object is the user r names, as its app's job sees it with r.App; nil
// without r.User.
func (s *Service) object(ctx context.Context, r Request) (*provisioning.Object, string, error) {
	if r.User == "" {
		if r.App != "" {
			return nil, "", ErrInvalid.With("an application needs a user")
		}
		return nil, "", nil
	}
	u, err := s.dir.GetUser(ctx, r.User)
	if err != nil {
		return nil, "", err
	}
	if r.App == "" {
		return &provisioning.Object{Type: provisioning.TypeUser, User: &u}, "", nil
	}
	if s.jobs == nil {
		return nil, "", svcerr.Errorf(svcerr.Unavailable, "provisioning is not available on this server")
	}
	app, err := s.dir.GetApp(ctx, r.App)
	if err != nil {
		return nil, "", err
	}
	return s.jobs.Object(ctx, app.ID, provisioning.TypeUser, u.ObjectID)
}

// attributes are the given attributes by lower-cased name: one value a
// string (a bool for a boolean attribute), several a []string.
func attributes(in map[string][]string) (map[string]any, error) {
	out := make(map[string]any, len(in))
	for name, vs := range in {
		key := strings.ToLower(name)
		if _, dup := out[key]; dup {
			return nil, ErrInvalid.With("attribute %q given twice (names ignore case)", name)
		}
		switch {
		case len(vs) == 0:
			continue
		case len(vs) > 1:
			out[key] = vs
		case isBoolean(name):
			b, err := scim.ParseBool(vs[0])
			if err != nil {
				return nil, ErrInvalid.With("attribute %q: %q is not a boolean", name, vs[0])
			}
			out[key] = b
		default:
			out[key] = vs[0]
		}
	}
	return out, nil
}

// isBoolean reports IsSoftDeleted and the catalog's boolean attributes.
func isBoolean(name string) bool {
	if strings.EqualFold(name, "IsSoftDeleted") {
		return true
	}
	a, ok := directory.LookupUser(name)
	return ok && a.Type == directory.Boolean
}

func typeOf(v any, ok bool) string {
	if !ok {
		return TypeNull
	}
	switch v.(type) {
	case bool:
		return TypeBoolean
	case int64:
		return TypeInteger
	case []string:
		return TypeList
	case []map[string]any:
		return TypeComplex
	}
	return TypeString
}
