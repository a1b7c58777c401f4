package scim

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseBool parses a boolean written as text: true, t, yes, y, on or 1
// and false, f, no, n, off or 0, in any case, surrounding space ignored.
// It is the one boolean parser of every layer, from command-line values to
// CSV imports; SCIM attribute values take the narrower [Bool].
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "yes", "y", "on", "1":
		return true, nil
	case "false", "f", "no", "n", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}

// Bool reads a boolean attribute value (RFC 7643 §2.3.2): a JSON boolean
// or, as a leniency of this library, the string "true" or "false" in any
// case, as Entra ID sends them ("True", "False"). Other spellings
// [ParseBool] knows ("yes", "1", " true") are not SCIM booleans.
func Bool(v any) (b, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		if b, err := ParseBool(x); err == nil && strings.EqualFold(x, strconv.FormatBool(b)) {
			return b, true
		}
	}
	return false, false
}
