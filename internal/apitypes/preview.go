package apitypes

import "encoding/json"

// Preview is what the next cycle would send for one object (GET
// /apps/{app}/job/preview): the planned action and its SCIM requests, or
// a skip with its reason and no request.
type Preview struct {
	Action     string             `json:"action"` // create, update, disable, delete or skip
	ObjectType string             `json:"objectType"`
	SourceID   string             `json:"sourceId"`
	SourceName string             `json:"sourceName,omitempty"`
	TargetID   string             `json:"targetId,omitempty"`
	Reason     string             `json:"reason,omitempty"`
	Modified   []ModifiedProperty `json:"modified,omitempty"`
	Steps      []Step             `json:"steps,omitempty"`
	Requests   []PreviewRequest   `json:"requests"`
}

// PreviewRequest is one SCIM request: method, path relative to the
// Tenant URL ("{id}" stands for the id a preceding POST returns) and JSON
// body (a POST's resource, a PATCH's PatchOp message; none for DELETE).
type PreviewRequest struct {
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// EvaluateExpression asks to evaluate an attribute-mapping expression
// (POST /expressions/evaluate) against a directory user (user), as an
// application's job sees it (app, with user), and/or given attributes
// (one value: single-valued; several: multi-valued).
type EvaluateExpression struct {
	Expression string              `json:"expression"`
	User       string              `json:"user,omitempty"`
	App        string              `json:"app,omitempty"`
	Attributes map[string][]string `json:"attributes,omitempty"`
}

// ExpressionValue is an expression's value: null true when the attribute
// does not flow. Type is string, boolean, integer, list, complex or null.
// Scope is the job's scope decision for the user (with app).
type ExpressionValue struct {
	Value json.RawMessage `json:"value"`
	Null  bool            `json:"null"`
	Type  string          `json:"type"`
	Scope string          `json:"scope,omitempty"`
}
