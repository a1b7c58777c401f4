package apitypes

// ErrorBody is every error answer: {"error":{"code","message"}}.
type ErrorBody struct {
	Error Error `json:"error"`
}

// Error is an error answer's code (stable, machine-readable) and message
// (for people).
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Position and Hint locate an expression's syntax error: the 0-based
	// byte offset in the expression, and what to do about it.
	Position *int   `json:"position,omitempty"`
	Hint     string `json:"hint,omitempty"`
}

// Error codes the API answers with (see the Error schema of openapi.json).
// A job's target that cannot be reached or refuses a request answers
// CodeTargetPrefix + the Test Connection reason.
const (
	CodeBadRequest           = "bad_request"
	CodeUnauthorized         = "unauthorized"
	CodeNotFound             = "not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeConflict             = "conflict"
	CodePayloadTooLarge      = "payload_too_large"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeInternal             = "internal"
	CodeUnavailable          = "unavailable"
	CodeLastAdminToken       = "last_admin_token"
	CodeEventsPruned         = "events_pruned"
	CodeJobBusy              = "job_busy"
	CodeCycleCancelled       = "cycle_cancelled"
	CodeShuttingDown         = "shutting_down"
	CodeNoCredentials        = "no_credentials"
	CodeTargetPrefix         = "target_"
)
