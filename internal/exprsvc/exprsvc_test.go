package exprsvc_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/internal/exprsvc"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// dir is a directory of one user and one app.
type dir struct{}

var alice = directory.User{ObjectID: "u1", UserPrincipalName: "alice@example.com", GivenName: "Alice",
	Surname: "Ångström", Department: "Sales", AccountEnabled: true,
	Extensions: map[string]string{"extension_abc_costCenter": "CC-7"}}

func (dir) GetUser(_ context.Context, ref string) (directory.User, error) {
	if ref == alice.UserPrincipalName || ref == alice.ObjectID {
		return alice, nil
	}
	return directory.User{}, svcerr.Errorf(svcerr.NotFound, "user %q not found", ref)
}

func (dir) GetApp(_ context.Context, ref string) (directory.App, error) {
	if ref == "crm" {
		return directory.App{ID: "app-1", Name: "crm"}, nil
	}
	return directory.App{}, svcerr.Errorf(svcerr.NotFound, "app %q not found", ref)
}

// jobs sees every user as unassigned.
type jobs struct{}

func (jobs) Object(_ context.Context, appID string, t provisioning.ObjectType, id string) (*provisioning.Object, string, error) {
	u := alice
	return &provisioning.Object{Type: t, User: &u, SoftDeleted: true}, "not assigned to the application", nil
}

func TestEvaluate(t *testing.T) {
	svc := exprsvc.New(dir{}, jobs{})
	tests := []struct {
		name string
		req  exprsvc.Request
		want exprsvc.Result
	}{
		{"join of user attributes", exprsvc.Request{Expression: `Join(" ", [givenName], [SURNAME])`, User: "alice@example.com"},
			exprsvc.Result{Value: "Alice Ångström", Type: "string"}},
		{"extension attribute", exprsvc.Request{Expression: `[extension_abc_costCenter]`, User: "u1"},
			exprsvc.Result{Value: "CC-7", Type: "string"}},
		{"switch", exprsvc.Request{Expression: `Switch([department], "Other", "Sales", "S", "IT", "I")`, User: "u1"},
			exprsvc.Result{Value: "S", Type: "string"}},
		{"set overrides the user", exprsvc.Request{Expression: `[department]`, User: "u1", Attributes: map[string][]string{"Department": {"IT"}}},
			exprsvc.Result{Value: "IT", Type: "string"}},
		{"set alone, multi-valued", exprsvc.Request{Expression: `Join(",", [proxyAddresses])`, Attributes: map[string][]string{"proxyAddresses": {"a", "b"}}},
			exprsvc.Result{Value: "a,b", Type: "string"}},
		{"list value", exprsvc.Request{Expression: `Split("a,b", ",")`}, exprsvc.Result{Value: []string{"a", "b"}, Type: "list"}},
		{"null", exprsvc.Request{Expression: `[mobile]`, User: "u1"}, exprsvc.Result{Null: true, Type: "null"}},
		{"IsSoftDeleted without app", exprsvc.Request{Expression: `Not([IsSoftDeleted])`, User: "u1"},
			exprsvc.Result{Value: true, Type: "boolean"}},
		{"IsSoftDeleted as the job sees it", exprsvc.Request{Expression: `Not([IsSoftDeleted])`, User: "u1", App: "crm"},
			exprsvc.Result{Value: false, Type: "boolean", Scope: "not assigned to the application"}},
		{"IsSoftDeleted set", exprsvc.Request{Expression: `[IsSoftDeleted]`, Attributes: map[string][]string{"isSoftDeleted": {"yes"}}},
			exprsvc.Result{Value: true, Type: "boolean"}},
		{"roles", exprsvc.Request{Expression: `SingleAppRoleAssignment([appRoleAssignments])`, Attributes: map[string][]string{"appRoleAssignments": {"Admin", "User"}}},
			exprsvc.Result{Value: "Admin", Type: "string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := svc.Evaluate(context.Background(), tt.req)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Evaluate(%s) = %+v, %v, want %+v", tt.req.Expression, got, err, tt.want)
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	svc := exprsvc.New(dir{}, nil)
	tests := []struct {
		name string
		req  exprsvc.Request
		kind svcerr.Kind
		pos  int // of a syntax error; -1: none
	}{
		{"unknown function", exprsvc.Request{Expression: `Jion(",", [a])`}, svcerr.Invalid, 0},
		{"missing parenthesis", exprsvc.Request{Expression: `ToLower([a]`}, svcerr.Invalid, 11},
		{"runtime failure", exprsvc.Request{Expression: `CDate("abc")`}, svcerr.Invalid, -1},
		{"unknown user", exprsvc.Request{Expression: `[a]`, User: "bob"}, svcerr.NotFound, -1},
		{"app without user", exprsvc.Request{Expression: `[a]`, App: "crm"}, svcerr.Invalid, -1},
		{"app without jobs", exprsvc.Request{Expression: `[a]`, User: "u1", App: "crm"}, svcerr.Unavailable, -1},
		{"not a boolean", exprsvc.Request{Expression: `[a]`, Attributes: map[string][]string{"accountEnabled": {"maybe"}}}, svcerr.Invalid, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Evaluate(context.Background(), tt.req)
			if got := svcerr.KindOf(err); got != tt.kind {
				t.Fatalf("Evaluate(%s) = %v (kind %v), want kind %v", tt.req.Expression, err, got, tt.kind)
			}
			var se *expr.SyntaxError
			if isSyntax := errors.As(err, &se); isSyntax != (tt.pos >= 0) || isSyntax && se.Pos != tt.pos {
				t.Errorf("Evaluate(%s) = %v, want a syntax error at %d", tt.req.Expression, err, tt.pos)
			}
		})
	}
}
