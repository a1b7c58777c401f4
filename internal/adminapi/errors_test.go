package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim/client"
)

// TestToAPIError pins the one mapping of errors to their wire form.
func TestToAPIError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{"tenant name taken", fmt.Errorf("x: %w", tenant.ErrExists.With(`a tenant named "acme" already exists`)), 409, "conflict", `x: a tenant named "acme" already exists`},
		{"directory conflict", fmt.Errorf("create user: %w", dirsvc.ErrExists.With(`userPrincipalName "a@x": already exists`)), 409, "conflict", `create user: userPrincipalName "a@x": already exists`},
		{"directory invalid", fmt.Errorf(`objectId "42" is not a UUID: %w`, dirsvc.ErrInvalid), 400, "bad_request", `objectId "42" is not a UUID: ` + dirsvc.ErrInvalid.Error()},
		{"directory miss", fmt.Errorf(`user "x": %w`, dirsvc.ErrNotFound), 404, "not_found", `user "x": ` + dirsvc.ErrNotFound.Error()},
		{"invalid tenant name", tenant.ErrInvalid.With("tenant name must not be empty"), 400, "bad_request", "tenant name must not be empty"},
		{"bad admin token", tenant.ErrUnauthorized, 401, "unauthorized", "missing or invalid admin token"},
		{"last admin token", tenant.ErrLastAdminToken, 409, "last_admin_token", "the last valid admin token cannot be revoked; create another first"},
		{"job busy", fmt.Errorf("run: %w", jobs.ErrBusy), 409, "job_busy", "run: " + jobs.ErrBusy.Error() + "; wait for it to end (see the job's status)"},
		{"job service closed", jobs.ErrClosed, 503, "shutting_down", jobs.ErrClosed.Error() + "; try again on another server or once it is back"},
		{"job not found", jobs.ErrNotFound, 404, "not_found", jobs.ErrNotFound.Error()},
		{"target unreachable", &client.ConnectionError{Reason: client.ReasonUnreachable, Err: errors.New("dial")}, 502, "target_unreachable", ""},
		{"body too large", &http.MaxBytesError{Limit: 10}, 413, "payload_too_large", "request body is larger than 10 bytes"},
		{"anything else", errors.New("disk full"), 500, "internal", "internal server error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := toAPIError(tt.err)
			if got.status != tt.wantStatus || got.code != tt.wantCode || (tt.wantMsg != "" && got.message != tt.wantMsg) {
				t.Errorf("toAPIError(%v) = %d %s %q, want %d %s %q", tt.err, got.status, got.code, got.message, tt.wantStatus, tt.wantCode, tt.wantMsg)
			}
		})
	}
}
