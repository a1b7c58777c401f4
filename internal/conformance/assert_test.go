package conformance

import (
	"strings"
	"testing"
	"time"
)

func ptr(s string) *string { return &s }

const listBody = `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  "totalResults": 1, "itemsPerPage": 1, "startIndex": 1,
  "Resources": [{
    "id": "u1", "userName": "ada", "active": false,
    "name": {"givenName": "Ada", "familyName": ""},
    "emails": [{"value": "ada@example.com", "primary": true}],
    "groups": []
  }]
}`

func TestAssertionCheck(t *testing.T) {
	list := &Response{Status: 200, Body: []byte(listBody), Elapsed: 120 * time.Millisecond}
	errBody := &Response{Status: 401, Body: []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"no"}`)}
	vars := Vars{"id": "u1", "user": "ada"}
	tests := []struct {
		name    string
		resp    *Response
		a       Assertion
		wantErr string // "" = passes; else a substring of the error
	}{
		{"status equal_number", list, Assertion{Source: SourceStatus, Comparison: CompareEqualNumber, Value: ptr("200")}, ""},
		{"status equal_number mismatch", errBody, Assertion{Source: SourceStatus, Comparison: CompareEqualNumber, Value: ptr("200")}, "got 401"},
		{"json equal_number", list, Assertion{Source: SourceJSON, Property: "totalResults", Comparison: CompareEqualNumber, Value: ptr("1")}, ""},
		{"equal string with variable", list, Assertion{Source: SourceJSON, Property: "Resources[0].id", Comparison: CompareEqual, Value: ptr("{{id}}")}, ""},
		{"equal undefined variable", list, Assertion{Source: SourceJSON, Property: "id", Comparison: CompareEqual, Value: ptr("{{nope}}")}, "undefined variable"},
		{"equal boolean as text", list, Assertion{Source: SourceJSON, Property: "Resources[0].active", Comparison: CompareEqual, Value: ptr("false")}, ""},
		{"equal number as text", list, Assertion{Source: SourceJSON, Property: "totalResults", Comparison: CompareEqual, Value: ptr("1")}, ""},
		{"equal string status", errBody, Assertion{Source: SourceJSON, Property: "status", Comparison: CompareEqual, Value: ptr("401")}, ""},
		{"equal missing property", list, Assertion{Source: SourceJSON, Property: "nope", Comparison: CompareEqual, Value: ptr("x")}, "no such property"},
		{"equal mismatch", list, Assertion{Source: SourceJSON, Property: "Resources[0].userName", Comparison: CompareEqual, Value: ptr("bob")}, `got "ada"`},
		{"not_empty array", list, Assertion{Source: SourceJSON, Property: "Resources", Comparison: CompareNotEmpty}, ""},
		{"not_empty nested array element", list, Assertion{Source: SourceJSON, Property: "Resources[0].emails[0].value", Comparison: CompareNotEmpty}, ""},
		{"not_empty false is a value", list, Assertion{Source: SourceJSON, Property: "Resources[0].active", Comparison: CompareNotEmpty}, ""},
		{"not_empty empty string", list, Assertion{Source: SourceJSON, Property: "Resources[0].name.familyName", Comparison: CompareNotEmpty}, "non-empty"},
		{"not_empty empty array", list, Assertion{Source: SourceJSON, Property: "Resources[0].groups", Comparison: CompareNotEmpty}, "non-empty"},
		{"not_empty missing", list, Assertion{Source: SourceJSON, Property: "Resources[1].id", Comparison: CompareNotEmpty}, "no such property"},
		{"has_value", list, Assertion{Source: SourceJSON, Property: "schemas", Comparison: CompareHasValue, Value: ptr("urn:ietf:params:scim:api:messages:2.0:ListResponse")}, ""},
		{"has_value absent", errBody, Assertion{Source: SourceJSON, Property: "schemas", Comparison: CompareHasValue, Value: ptr("urn:ietf:params:scim:api:messages:2.0:ListResponse")}, "want an array holding"},
		{"has_value on a string", list, Assertion{Source: SourceJSON, Property: "Resources[0].userName", Comparison: CompareHasValue, Value: ptr("ada")}, "want an array holding"},
		{"contains array element", list, Assertion{Source: SourceJSON, Property: "schemas", Comparison: CompareContains, Value: ptr("ListResponse")}, ""},
		{"contains string", list, Assertion{Source: SourceJSON, Property: "Resources[0].emails[0].value", Comparison: CompareContains, Value: ptr("@example")}, ""},
		{"contains mismatch", list, Assertion{Source: SourceJSON, Property: "schemas", Comparison: CompareContains, Value: ptr("core:2.0:User")}, "want it to contain"},
		{"is_a_number", list, Assertion{Source: SourceJSON, Property: "itemsPerPage", Comparison: CompareIsANumber}, ""},
		{"is_a_number string is not", errBody, Assertion{Source: SourceJSON, Property: "status", Comparison: CompareIsANumber}, "want a JSON number"},
		{"is_a_number missing", errBody, Assertion{Source: SourceJSON, Property: "totalResults", Comparison: CompareIsANumber}, "no such property"},
		{"response_time is_less_than", list, Assertion{Source: SourceTime, Comparison: CompareIsLessThan, Value: ptr("600")}, ""},
		{"response_time too slow", list, Assertion{Source: SourceTime, Comparison: CompareIsLessThan, Value: ptr("100")}, "want a number < 100"},
		{"is_less_than non-numeric operand", list, Assertion{Source: SourceTime, Comparison: CompareIsLessThan, Value: ptr("soon")}, "not a number"},
		{"unknown comparison", list, Assertion{Source: SourceStatus, Comparison: "matches_regex", Value: ptr(".*")}, "unsupported comparison"},
		{"unknown source", list, Assertion{Source: "response_headers", Property: "ETag", Comparison: CompareNotEmpty}, "unsupported assertion source"},
		{"body not JSON", &Response{Status: 200, Body: []byte("<html>")}, Assertion{Source: SourceJSON, Property: "id", Comparison: CompareNotEmpty}, "not JSON"},
		{"body empty", &Response{Status: 204}, Assertion{Source: SourceJSON, Property: "id", Comparison: CompareNotEmpty}, "body is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Check(tc.resp, vars)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Check(%s) = %v, want nil", tc.a, err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("Check(%s) = nil, want error containing %q", tc.a, tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("Check(%s) = %v, want error containing %q", tc.a, err, tc.wantErr)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	doc, err := decodeJSON([]byte(`{"a":{"b":[{"c":1},[true,null]]},"k":"v"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path        string
		want        string
		wantPresent bool
	}{
		{"k", "v", true},
		{"a.b[0].c", "1", true},
		{"a.b[1][0]", "true", true},
		{"a.b[1][1]", "", true},
		{"a.b[2]", "", false},
		{"a.b[-1]", "", false},
		{"a.b[x]", "", false},
		{"a.b[0", "", false},
		{"a.b[0]x", "", false},
		{"a..b", "", false},
		{"k.x", "", false},
		{"K", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			got, ok := lookup(doc, tc.path)
			if ok != tc.wantPresent || (ok && stringify(got) != tc.want) {
				t.Errorf("lookup(%q) = %q, %v, want %q, %v", tc.path, stringify(got), ok, tc.want, tc.wantPresent)
			}
		})
	}
}

func TestSubstitute(t *testing.T) {
	vars := Vars{"a": "1", "b": "two"}
	tests := []struct {
		name, in, want, wantErr string
	}{
		{"none", "plain", "plain", ""},
		{"two", "{{a}}/{{ b }}", "1/two", ""},
		{"repeated", "{{a}}{{a}}", "11", ""},
		{"undefined", "x{{c}}y{{d}}", "", "c, d"},
		{"not a placeholder", "{a} {{}}", "{a} {{}}", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vars.Substitute(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Substitute(%q) = %q, %v, want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Substitute(%q) = %q, %v, want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestEncodeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{`http://h/Users?count=1&startIndex=1`, `http://h/Users?count=1&startIndex=1`},
		{`http://h/Users?filter=userName eq "a@b.c"`, `http://h/Users?filter=userName%20eq%20%22a@b.c%22`},
		{`http://h/x?f=%22kept%22`, `http://h/x?f=%22kept%22`},
	}
	for _, tc := range tests {
		if got := encodeURL(tc.in); got != tc.want {
			t.Errorf("encodeURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
