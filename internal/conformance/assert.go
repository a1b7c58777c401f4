package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Assertion sources of a Runscope step.
const (
	SourceStatus = "response_status"
	SourceJSON   = "response_json"
	SourceTime   = "response_time"
)

// Assertion comparisons: every kind the Okta SPEC test uses.
const (
	CompareEqual       = "equal"
	CompareEqualNumber = "equal_number"
	CompareNotEmpty    = "not_empty"
	CompareHasValue    = "has_value"
	CompareContains    = "contains"
	CompareIsANumber   = "is_a_number"
	CompareIsLessThan  = "is_less_than"
)

// Assertion is one Runscope assertion: Source (and, for JSON, Property)
// selects the actual value, Comparison says how it is compared with Value
// (nil when the comparison takes no operand).
type Assertion struct {
	Source     string  `json:"source"`
	Property   string  `json:"property"`
	Comparison string  `json:"comparison"`
	Value      *string `json:"value"`
}

// String names the assertion the way a test report should: what is
// checked, how, and against what.
func (a Assertion) String() string {
	subject := a.Source
	if a.Property != "" {
		subject += " " + a.Property
	}
	s := subject + " " + a.Comparison
	if a.Value != nil {
		s += " " + strconv.Quote(*a.Value)
	}
	return s
}

// Check evaluates the assertion against resp, substituting vars into the
// expected value first. It returns nil if the assertion holds and an
// error saying what was found otherwise. Unknown sources and comparisons
// are errors, never silent passes.
func (a Assertion) Check(resp *Response, vars Vars) error {
	want := ""
	if a.Value != nil {
		w, err := vars.Substitute(*a.Value)
		if err != nil {
			return fmt.Errorf("expected value: %w", err)
		}
		want = w
	}
	got, present, err := a.actual(resp)
	if err != nil {
		return err
	}
	return compare(a.Comparison, got, present, want)
}

// actual selects the value the assertion looks at. present is false when
// a JSON property does not exist in the body.
func (a Assertion) actual(resp *Response) (val any, present bool, err error) {
	switch a.Source {
	case SourceStatus:
		return json.Number(strconv.Itoa(resp.Status)), true, nil
	case SourceTime:
		return json.Number(strconv.FormatInt(resp.Elapsed.Milliseconds(), 10)), true, nil
	case SourceJSON:
		doc, err := decodeJSON(resp.Body)
		if err != nil {
			return nil, false, err
		}
		val, ok := lookup(doc, a.Property)
		return val, ok, nil
	default:
		return nil, false, fmt.Errorf("unsupported assertion source %q", a.Source)
	}
}

// compare applies one comparison to the actual value got.
func compare(comparison string, got any, present bool, want string) error {
	switch comparison {
	case CompareNotEmpty:
		if !present || isEmpty(got) {
			return fmt.Errorf("got %s, want a non-empty value", describe(got, present))
		}
		return nil
	case CompareIsANumber:
		if _, ok := got.(json.Number); !present || !ok {
			return fmt.Errorf("got %s, want a JSON number", describe(got, present))
		}
		return nil
	}
	if !present {
		return fmt.Errorf("got no such property, want %s %q", comparison, want)
	}
	switch comparison {
	case CompareEqual:
		if s := stringify(got); s != want {
			return fmt.Errorf("got %q, want %q", s, want)
		}
	case CompareEqualNumber:
		return compareNumbers(got, want, func(g, w float64) bool { return g == w }, "=")
	case CompareIsLessThan:
		return compareNumbers(got, want, func(g, w float64) bool { return g < w }, "<")
	case CompareHasValue:
		if !hasValue(got, want) {
			return fmt.Errorf("got %s, want an array holding %q", describe(got, true), want)
		}
	case CompareContains:
		if !contains(got, want) {
			return fmt.Errorf("got %s, want it to contain %q", describe(got, true), want)
		}
	default:
		return fmt.Errorf("unsupported comparison %q", comparison)
	}
	return nil
}

func compareNumbers(got any, want string, ok func(g, w float64) bool, op string) error {
	g, err := strconv.ParseFloat(stringify(got), 64)
	if err != nil {
		return fmt.Errorf("got %s, want a number %s %s", describe(got, true), op, want)
	}
	w, err := strconv.ParseFloat(want, 64)
	if err != nil {
		return fmt.Errorf("expected value %q is not a number", want)
	}
	if !ok(g, w) {
		return fmt.Errorf("got %s, want a number %s %s", stringify(got), op, want)
	}
	return nil
}

// isEmpty follows Runscope: null, "", [] and {} are empty; false and 0 are
// values like any other.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// hasValue reports whether v is an array with an element whose string
// form is want.
func hasValue(v any, want string) bool {
	arr, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range arr {
		if stringify(e) == want {
			return true
		}
	}
	return false
}

// contains reports whether v's string form contains want; for an array,
// whether any element's does.
func contains(v any, want string) bool {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if strings.Contains(stringify(e), want) {
				return true
			}
		}
		return false
	}
	return strings.Contains(stringify(v), want)
}

// describe renders an actual value for a failure message.
func describe(v any, present bool) string {
	if !present {
		return "no such property"
	}
	if v == nil {
		return "null"
	}
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return stringify(v)
}

// stringify gives the string form Runscope compares: strings as they are,
// numbers as written, booleans as true/false, null as "", and arrays and
// objects as compact JSON.
func stringify(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

var errEmptyBody = errors.New("response body is empty, want JSON")

// decodeJSON decodes a body keeping numbers as written.
func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errEmptyBody
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("response body is not JSON: %w", err)
	}
	return doc, nil
}

// lookup resolves a Runscope property path such as
// "Resources[0].name.familyName" in a decoded JSON document. Object keys
// match exactly, as in JavaScript.
func lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, seg := range strings.Split(path, ".") {
		name, indexes, ok := splitSegment(seg)
		if !ok {
			return nil, false
		}
		if name != "" {
			obj, isObj := cur.(map[string]any)
			if !isObj {
				return nil, false
			}
			if cur, ok = obj[name]; !ok {
				return nil, false
			}
		}
		for _, i := range indexes {
			arr, isArr := cur.([]any)
			if !isArr || i >= len(arr) {
				return nil, false
			}
			cur = arr[i]
		}
	}
	return cur, true
}

// splitSegment splits "emails[0]" into "emails" and [0]. ok is false for a
// malformed segment.
func splitSegment(seg string) (name string, indexes []int, ok bool) {
	name, rest, found := strings.Cut(seg, "[")
	if !found {
		return name, nil, name != ""
	}
	rest = "[" + rest
	for rest != "" {
		if rest[0] != '[' {
			return "", nil, false
		}
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", nil, false
		}
		i, err := strconv.Atoi(rest[1:end])
		if err != nil || i < 0 {
			return "", nil, false
		}
		indexes = append(indexes, i)
		rest = rest[end+1:]
	}
	return name, indexes, true
}
