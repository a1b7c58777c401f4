package apitypes

import "time"

// AttributeMapping is one target attribute's mapping (Entra's mapping
// types direct, constant, expression and none), the body of PUT
// /apps/{app}/job/mappings/{type}: it adds the mapping of Target or
// replaces the one of that target (matched case-insensitively).
type AttributeMapping struct {
	Target         string `json:"target"`
	Type           string `json:"type"` // direct, constant, expression or none
	Source         string `json:"source,omitempty"`
	Value          any    `json:"value,omitempty"` // constant
	Expression     string `json:"expression,omitempty"`
	Default        any    `json:"default,omitempty"` // default value if null (create only)
	Apply          string `json:"apply,omitempty"`   // always (default) or create
	Match          int    `json:"match,omitempty"`   // > 0: matching attribute, lower first
	Reference      bool   `json:"reference,omitempty"`
	ClearWhenEmpty bool   `json:"clearWhenEmpty,omitempty"`
}

// ScopingFilter is one scoping filter: its clauses ("ATTRIBUTE OPERATOR
// [VALUE]") are ANDed; a type's filters are ORed. It is also the body of
// POST /apps/{app}/job/scoping/{type}.
type ScopingFilter struct {
	Clauses []string `json:"clauses"`
}

// TypeMappings is one object type's mappings and scoping filters, the
// answer of the mapping and scoping endpoints.
type TypeMappings struct {
	Type       string             `json:"type"` // user or group
	Endpoint   string             `json:"endpoint"`
	Attributes []AttributeMapping `json:"attributes"`
	Scoping    []ScopingFilter    `json:"scoping"`
	// Excluded are the type's default mappings left out because the
	// application does not declare their target.
	Excluded []Exclusion `json:"excluded,omitempty"`
}

// Exclusion is a default mapping left out for the application, with the
// reason.
type Exclusion struct {
	Type   string `json:"type"` // User or Group
	Target string `json:"target"`
	Reason string `json:"reason"`
}

// TargetSchema is what a job knows of its application's /Schemas and
// /ResourceTypes (RFC 7644 §4): status declared, not-declared (404: all
// defaults kept) or unknown (not read yet), and the default mappings it
// left out.
type TargetSchema struct {
	Status   string      `json:"status"`
	Message  string      `json:"message"`
	Checked  time.Time   `json:"checked,omitzero"`
	Excluded []Exclusion `json:"excluded,omitempty"`
}
