package sqlstore

import (
	"encoding/json"
	"strings"
)

// jsonText is json.Marshal(v) as a string, built once: Marshal copies
// its buffer into the slice it returns and string(b) copies it again, so
// the text of a 1,000,000-member group's written members (~38 MB) was
// held three times at once; here the encoder's buffer is copied once,
// into the string.
func jsonText(v any) (string, error) {
	var b strings.Builder
	if err := json.NewEncoder(&b).Encode(v); err != nil { // HTML escaped, as Marshal
		return "", err
	}
	s := b.String()
	return s[:len(s)-1], nil // Encode ends the value with a newline
}
