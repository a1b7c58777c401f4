package client

import (
	"context"
	"net/http"
	"slices"
	"testing"
)

func TestContextWithTrace(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		call  func(ctx context.Context, c *Client) error
		want  []Exchange
	}{
		{"create", []step{{status: 201, body: userJSON}}, func(ctx context.Context, c *Client) error {
			_, err := c.Create(ctx, "Users", map[string]any{"userName": "bjensen"})
			return err
		}, []Exchange{{Method: http.MethodPost, Path: "/Users", Status: 201}}},
		{"query", []step{{status: 200, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`}},
			func(ctx context.Context, c *Client) error {
				_, err := c.List(ctx, "Users", Query{Filter: Eq("userName", "bjensen")})
				return err
			}, []Exchange{{Method: http.MethodGet, Path: "/Users?filter=userName+eq+%22bjensen%22", Status: 200}}},
		{"retried", []step{{status: 503}, {status: 204}}, func(ctx context.Context, c *Client) error {
			return c.Delete(ctx, "Users", "u1")
		}, []Exchange{{Method: http.MethodDelete, Path: "/Users/u1", Status: 503}, {Method: http.MethodDelete, Path: "/Users/u1", Status: 204}}},
		{"no answer", []step{{reset: true}}, func(ctx context.Context, c *Client) error {
			_, err := c.Create(ctx, "Users", map[string]any{"userName": "bjensen"})
			return err
		}, []Exchange{{Method: http.MethodPost, Path: "/Users"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.steps...)
			c, _ := newTestClient(t, fs.URL)
			var got []Exchange
			_ = tt.call(ContextWithTrace(t.Context(), func(x Exchange) { got = append(got, x) }), c)
			if !slices.Equal(got, tt.want) {
				t.Errorf("traced %s = %+v, want %+v", tt.name, got, tt.want)
			}
		})
	}
}
