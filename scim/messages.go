package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Schema and message URIs (RFC 7643 §8.7, RFC 7644 §3.1, §8.2).
const (
	UserSchema           = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaSchema         = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ResourceTypeSchema   = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SPConfigSchema       = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"

	ListResponseMessage  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorMessage         = "urn:ietf:params:scim:api:messages:2.0:Error"
	PatchOpMessage       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SearchRequestMessage = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkRequestMessage   = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseMessage  = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// MediaType is the SCIM media type (RFC 7644 §8.1).
const MediaType = "application/scim+json"

// Resource is a SCIM resource as a JSON object: values are what encoding/json
// decodes into an any (string, float64, bool, nil, []any, map[string]any).
// Core attributes are top-level keys; extension attributes live in an object
// under the extension's schema URI key (RFC 7643 §3.3).
type Resource = map[string]any

// Meta is the common "meta" attribute (RFC 7643 §3.1).
type Meta struct {
	ResourceType string `json:"resourceType,omitempty"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"`
}

// Member is one element of a group's "members" (RFC 7643 §4.2).
type Member struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref,omitempty"`
	Type    string `json:"type,omitempty"`
	Display string `json:"display,omitempty"`
}

// ScimType values for 400/409 errors (RFC 7644 §3.12, Table 9).
const (
	ScimTypeInvalidFilter = "invalidFilter"
	ScimTypeTooMany       = "tooMany"
	ScimTypeUniqueness    = "uniqueness"
	ScimTypeMutability    = "mutability"
	ScimTypeInvalidSyntax = "invalidSyntax"
	ScimTypeInvalidPath   = "invalidPath"
	ScimTypeNoTarget      = "noTarget"
	ScimTypeInvalidValue  = "invalidValue"
	ScimTypeInvalidVers   = "invalidVers"
	ScimTypeSensitive     = "sensitive"
)

// Error is a SCIM error response (RFC 7644 §3.12). On the wire, status is a
// string ("404"), as RFC 7644 and Okta's SPEC test require.
type Error struct {
	Status   int    // HTTP status code
	ScimType string // optional, RFC 7644 Table 9
	Detail   string // human-readable; never internal details
}

// Errorf returns an *Error with a formatted detail.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("scim %d: %s", e.Status, e.Detail)
}

type wireError struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// MarshalJSON renders the RFC 7644 §3.12 error body.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireError{Schemas: []string{ErrorMessage}, Status: strconv.Itoa(e.Status), ScimType: e.ScimType, Detail: e.Detail})
}

// UnmarshalJSON accepts status as a string or a number (some servers send a number).
func (e *Error) UnmarshalJSON(b []byte) error {
	var w struct {
		Status   json.RawMessage `json:"status"`
		ScimType string          `json:"scimType"`
		Detail   string          `json:"detail"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	var s string
	if json.Unmarshal(w.Status, &s) != nil {
		s = string(w.Status)
	}
	e.Status, _ = strconv.Atoi(s)
	e.ScimType, e.Detail = w.ScimType, w.Detail
	return nil
}

// ListResponse is a query response (RFC 7644 §3.4.2).
type ListResponse struct {
	Schemas      []string   `json:"schemas"`
	TotalResults int        `json:"totalResults"`
	StartIndex   int        `json:"startIndex"`
	ItemsPerPage int        `json:"itemsPerPage"`
	Resources    []Resource `json:"Resources"`
}

// SearchRequest is the body of POST /.search (RFC 7644 §3.4.3).
type SearchRequest struct {
	Schemas            []string `json:"schemas"`
	Attributes         []string `json:"attributes,omitempty"`
	ExcludedAttributes []string `json:"excludedAttributes,omitempty"`
	Filter             string   `json:"filter,omitempty"`
	SortBy             string   `json:"sortBy,omitempty"`
	SortOrder          string   `json:"sortOrder,omitempty"`
	StartIndex         int      `json:"startIndex,omitempty"`
	Count              *int     `json:"count,omitempty"`
}

// PatchRequest is the body of a PATCH (RFC 7644 §3.5.2).
type PatchRequest struct {
	Schemas    []string         `json:"schemas"`
	Operations []PatchOperation `json:"Operations"`
}

// PatchOperation is one PATCH operation. Op is compared case-insensitively
// (Entra sends "Replace"); Value is raw JSON and may be absent.
type PatchOperation struct {
	Op    string          `json:"op"`
	Path  string          `json:"path,omitempty"`
	Value json.RawMessage `json:"value,omitempty"`
}

// BulkRequest is the body of POST /Bulk (RFC 7644 §3.7).
type BulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors int             `json:"failOnErrors,omitempty"`
	Operations   []BulkOperation `json:"Operations"`
}

// BulkOperation is one operation of a bulk request or response.
type BulkOperation struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Version  string          `json:"version,omitempty"`
	Path     string          `json:"path,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
	Location string          `json:"location,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
	Status   string          `json:"status,omitempty"`
}

// BulkResponse is the body answering a bulk request (RFC 7644 §3.7.3).
type BulkResponse struct {
	Schemas    []string        `json:"schemas"`
	Operations []BulkOperation `json:"Operations"`
}

// ServiceProviderConfig describes the service's features (RFC 7643 §5).
type ServiceProviderConfig struct {
	Schemas               []string               `json:"schemas"`
	DocumentationURI      string                 `json:"documentationUri,omitempty"`
	Patch                 PatchConfig            `json:"patch"`
	Bulk                  BulkConfig             `json:"bulk"`
	Filter                FilterConfig           `json:"filter"`
	ChangePassword        Supported              `json:"changePassword"`
	Sort                  Supported              `json:"sort"`
	ETag                  Supported              `json:"etag"`
	AuthenticationSchemes []AuthenticationScheme `json:"authenticationSchemes"`
	Meta                  *Meta                  `json:"meta,omitempty"`
}

// Supported is a feature flag in the service provider configuration.
type Supported struct {
	Supported bool `json:"supported"`
}

// PatchConfig advertises PATCH support (RFC 7643 §5) and its limits.
// RFC 7643 §5 defines only "supported"; MaxOperations and MaxValues follow
// bulk's "maxOperations" (absent when zero), and clients that do not know
// them ignore them.
type PatchConfig struct {
	Supported bool `json:"supported"`
	// MaxOperations is the most operations one PATCH request may hold.
	MaxOperations int `json:"maxOperations,omitempty"`
	// MaxValues is the most values a multi-valued attribute (other than a
	// group's members) may hold after a POST, PUT or PATCH.
	MaxValues int `json:"maxValues,omitempty"`
}

// BulkConfig advertises bulk limits (RFC 7643 §5).
type BulkConfig struct {
	Supported      bool `json:"supported"`
	MaxOperations  int  `json:"maxOperations"`
	MaxPayloadSize int  `json:"maxPayloadSize"`
}

// FilterConfig advertises filter support (RFC 7643 §5).
type FilterConfig struct {
	Supported  bool `json:"supported"`
	MaxResults int  `json:"maxResults"`
}

// AuthenticationScheme describes one supported authentication scheme.
type AuthenticationScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	SpecURI     string `json:"specUri,omitempty"`
	Primary     bool   `json:"primary,omitempty"`
}
