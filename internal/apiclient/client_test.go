package apiclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestCalls checks what the client sends and how it reads answers,
// against a server that records the request and answers as told.
func TestCalls(t *testing.T) {
	var got *http.Request
	var gotBody string
	tests := []struct {
		name       string
		status     int
		body       string
		call       func(c *Client) error
		wantMethod string
		wantURL    string
		wantBody   string
		wantErr    string
	}{
		{"list users page", 200, `{"users":[{"objectId":"u1","userPrincipalName":"a@x","accountEnabled":true}],"next":"a@x"}`,
			func(c *Client) error {
				p, err := c.Users(context.Background(), ListQuery{After: "b@x", Limit: 1, Deleted: "true"})
				if err == nil && (len(p.Users) != 1 || p.Next != "a@x" || !p.Users[0].AccountEnabled) {
					return errors.New("bad page")
				}
				return err
			}, "GET", "/api/v1/users?after=b%40x&deleted=true&limit=1", "", ""},
		{"assign a group", 200, `{"appId":"a1","principalId":"g1","principalKind":"group"}`,
			func(c *Client) error {
				_, err := c.Assign(context.Background(), "My App", apitypes.Assign{Group: "Sales"})
				return err
			}, "POST", "/api/v1/apps/My%20App/assignments", `{"group":"Sales"}`, ""},
		{"error answer", 409, `{"error":{"code":"job_busy","message":"a cycle is running"}}`,
			func(c *Client) error { _, err := c.RunJob(context.Background(), "app"); return err },
			"POST", "/api/v1/apps/app/job/runs", "", "server answered 409 job_busy: a cycle is running"},
		{"refused token names its source", 401, `{"error":{"code":"unauthorized","message":"missing or invalid admin token"}}`,
			func(c *Client) error { _, err := c.Tenants(context.Background()); return err },
			"GET", "/api/v1/tenants", "", "server answered 401 unauthorized: missing or invalid admin token (admin token from $TOKEN)"},
		{"preview a group", 200, `{"action":"skip","objectType":"Group","sourceId":"g1","reason":"unchanged","requests":[]}`,
			func(c *Client) error {
				p, err := c.PreviewGroup(context.Background(), "My App", "Sales & Ops")
				if err == nil && (p.Action != "skip" || p.Reason != "unchanged") {
					return errors.New("bad preview")
				}
				return err
			}, "GET", "/api/v1/apps/My%20App/job/preview?group=Sales+%26+Ops", "", ""},
		{"expression syntax error has its position", 400, `{"error":{"code":"bad_request","message":"expression: at 3: missing )","position":3,"hint":"close it"}}`,
			func(c *Client) error {
				_, err := c.EvaluateExpression(context.Background(), apitypes.EvaluateExpression{Expression: "Not("})
				var e *Error
				if !errors.As(err, &e) || e.Position == nil || *e.Position != 3 || e.Hint != "close it" {
					return errors.New("no position")
				}
				return err
			}, "POST", "/api/v1/expressions/evaluate", `{"expression":"Not("}`, "server answered 400 bad_request: expression: at 3: missing )"},
		{"answer not JSON", 502, `<html>`,
			func(c *Client) error { _, err := c.Apps(context.Background()); return err },
			"GET", "/api/v1/apps", "", "server answered 502 unexpected: Bad Gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r
				b, _ := io.ReadAll(r.Body)
				gotBody = string(b)
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			err := tt.call(New(srv.URL+"/", "pvadm_x", Options{TokenSource: "$TOKEN"}))
			if got.Method != tt.wantMethod || got.URL.RequestURI() != tt.wantURL || strings.TrimSpace(gotBody) != tt.wantBody {
				t.Errorf("%s sent %s %s %s, want %s %s %s", tt.name, got.Method, got.URL.RequestURI(), gotBody, tt.wantMethod, tt.wantURL, tt.wantBody)
			}
			if got.Header.Get("Authorization") != "Bearer pvadm_x" {
				t.Errorf("%s sent Authorization %q, want the admin token", tt.name, got.Header.Get("Authorization"))
			}
			if (err == nil) != (tt.wantErr == "") || (err != nil && err.Error() != tt.wantErr) {
				t.Errorf("%s = %v, want error %q", tt.name, err, tt.wantErr)
			}
		})
	}
}
