package adminapitest

import "github.com/getkin/kin-openapi/openapi3filter"

// JSON Lines (the log export's format=json) is checked as text: the
// description gives it as a string.
func init() {
	openapi3filter.RegisterBodyDecoder("application/jsonl", openapi3filter.PlainBodyDecoder)
}
