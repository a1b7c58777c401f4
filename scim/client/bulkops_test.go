package client

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/provisio-dev/provisio/scim"
)

// TestBulkOperations: Bulk operations carry the quirks of the single
// requests, and each result reads as the single request's answer.
func TestBulkOperations(t *testing.T) {
	c, err := New("https://scim.example.com/v2", WithQuirks(Quirks{ActiveAsString: true, MaxMembersPerPatch: 1}))
	if err != nil {
		t.Fatal(err)
	}
	op, err := c.BulkCreate("Users", "p1", scim.Resource{"userName": "a", "active": true})
	if err != nil || op.Method != "POST" || op.Path != "/Users" || op.BulkID != "p1" || string(op.Data) != `{"active":"True","userName":"a"}` {
		t.Errorf("BulkCreate = %+v (data %s), %v", op, op.Data, err)
	}
	two := []scim.PatchOperation{{Op: "add", Path: "members", Value: json.RawMessage(`[{"value":"x"},{"value":"y"}]`)}}
	if _, err := c.BulkPatch("Groups", "g", two); !errors.Is(err, ErrNotBulkable) {
		t.Errorf("BulkPatch(2 members, MaxMembersPerPatch 1) = %v, want ErrNotBulkable", err)
	}
	op, err = c.BulkPatch("Users", "id 1", []scim.PatchOperation{{Op: "replace", Path: "displayName", Value: json.RawMessage(`"A"`)}})
	if err != nil || op.Method != "PATCH" || op.Path != "/Users/id%201" {
		t.Errorf("BulkPatch = %+v, %v", op, err)
	}

	sent := scim.BulkOperation{Method: "POST", Path: "/Users", BulkID: "p1"}
	res, err := c.BulkResult(sent, scim.BulkOperation{Status: "201", Location: "https://scim.example.com/v2/Users/abc%2Fd"})
	if err != nil || res["id"] != "abc/d" {
		t.Errorf("BulkResult(201) = %v, %v; want id abc/d", res, err)
	}
	_, err = c.BulkResult(sent, scim.BulkOperation{Status: "409", Response: json.RawMessage(`{"status":"409","scimType":"uniqueness","detail":"taken"}`)})
	var ce *Error
	if !IsConflict(err) || !errors.As(err, &ce) || ce.SCIM == nil || ce.SCIM.ScimType != "uniqueness" || MayHaveApplied(err) {
		t.Errorf("BulkResult(409) = %v, want a conflict with scimType uniqueness", err)
	}
	if _, err := c.BulkResult(sent, scim.BulkOperation{Status: "500"}); !MayHaveApplied(err) {
		t.Errorf("BulkResult(500) = %v, want MayHaveApplied", err)
	}
	if _, err := c.BulkResult(sent, scim.BulkOperation{Status: "oops"}); err == nil || IsRetryable(err) {
		t.Errorf("BulkResult(bad status) = %v, want a non-retryable error", err)
	}
}
