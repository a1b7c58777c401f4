package credentials

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"
)

// JWTExpiry reads the exp claim (RFC 7519 §4.1.4, a NumericDate) of a
// bearer token that is a JWS compact serialization (RFC 7515 §7.1): three
// base64url parts, the second a JSON object. The signature is not
// verified: the token is the job's own credential, and exp only tells
// when the application will stop accepting it. ok is false for a token
// that is not a JWT or has no exp.
func JWTExpiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil || *claims.Exp <= 0 || *claims.Exp > math.MaxInt32*100 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(*claims.Exp)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
