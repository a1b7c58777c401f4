package scim

import (
	"fmt"
	"net/http"
	"unicode/utf8"
)

// Limits on the strings a service provider stores. RFC 7643 §2.3.1 leaves
// the length and repertoire of strings to the service provider; these are
// Provisio's, chosen so that every value fits every store (PostgreSQL
// refuses NUL in text and index rows over 2,704 bytes; SQLite takes both,
// so without a common check the backends would disagree).
const (
	// MaxIdentifierLength bounds, in characters, identifiers and the
	// attributes stores index: id, externalId, userName, displayName and
	// members.value. 512 characters are at most 2,048 bytes of UTF-8, also
	// lower-cased, which fits a PostgreSQL btree row with the tenant and
	// resource type beside it.
	MaxIdentifierLength = 512

	// MaxStringLength bounds, in characters, every other string value.
	MaxStringLength = 64 << 10
)

// CheckIdentifier checks an identifier (a resource id, externalId,
// userName, a member's value, an attribute name): valid UTF-8, at most
// MaxIdentifierLength characters and no control characters at all (Unicode
// Cc: U+0000–U+001F, U+007F–U+009F). The error names the value (name)
// and never quotes it.
func CheckIdentifier(name, s string) error {
	return checkString(name, s, MaxIdentifierLength, false)
}

// CheckText checks a free-text string: valid UTF-8, at most max
// characters, and no C0 control characters but TAB, LF and CR (NUL never).
// The error names the value (name) and never quotes it.
func CheckText(name, s string, max int) error {
	return checkString(name, s, max, true)
}

func checkString(name, s string, max int, text bool) error {
	n := 0
	for i, r := range s {
		n++
		switch {
		case r == utf8.RuneError && invalidAt(s, i):
			return fmt.Errorf("%s is not valid UTF-8 (byte %d)", name, i+1)
		case n > max:
			return fmt.Errorf("%s is longer than %d characters", name, max)
		case forbidden(r, text):
			kind := "identifiers may contain none"
			if text {
				kind = "text may contain only TAB, LF and CR"
			}
			return fmt.Errorf("%s contains the control character %U at character %d (%s)", name, r, n, kind)
		}
	}
	return nil
}

// invalidAt reports whether s holds an invalid UTF-8 sequence at byte i
// (as opposed to an encoded U+FFFD).
func invalidAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size <= 1
}

// forbidden reports whether r is a control character refused in an
// identifier (any of Unicode Cc) or in text (C0 but TAB, LF, CR).
func forbidden(r rune, text bool) bool {
	if text {
		return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
	}
	return r < 0x20 || r >= 0x7f && r <= 0x9f
}

// identifierAttrs are the attributes checked as identifiers, by path in
// the canonical document.
var identifierAttrs = map[string]bool{"id": true, "externalId": true, "userName": true, "members.value": true}

// indexedText is the free-text attribute stores index, so held to
// MaxIdentifierLength.
const indexedText = "displayName"

// CheckStrings checks every attribute name and string value of a
// canonical resource (as [ResourceType.Normalize] returns it) against the
// limits above: identifiers (id, externalId, userName, members.value) and
// attribute names as by CheckIdentifier, displayName as text of at most
// MaxIdentifierLength characters, any other string as text of at most
// MaxStringLength characters. A violation is a 400 invalidValue (RFC 7644
// §3.12) naming the attribute and the limit.
func CheckStrings(res Resource) error {
	return checkObject(res, "")
}

func checkObject(obj map[string]any, prefix string) error {
	for k, v := range obj {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if err := CheckIdentifier("an attribute name", k); err != nil {
			return Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "%v", err)
		}
		if err := checkValue(v, path); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(v any, path string) error {
	switch v := v.(type) {
	case string:
		var err error
		switch {
		case identifierAttrs[path]:
			err = CheckIdentifier(path, v)
		case path == indexedText:
			err = CheckText(path, v, MaxIdentifierLength)
		default:
			err = CheckText(path, v, MaxStringLength)
		}
		if err != nil {
			return Errorf(http.StatusBadRequest, ScimTypeInvalidValue, "%v", err)
		}
	case []any:
		for _, x := range v {
			if err := checkValue(x, path); err != nil {
				return err
			}
		}
	case map[string]any:
		return checkObject(v, path)
	}
	return nil
}
