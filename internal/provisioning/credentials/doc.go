// Package credentials owns how a provisioning job authenticates to an
// application and what is known of those credentials' health:
//
//   - [OAuth] and [Source]: the OAuth 2.0 client credentials grant
//     (RFC 6749 §4.4) through golang.org/x/oauth2/clientcredentials; a
//     Source caches the access token and fetches a new one shortly before
//     it expires, across the job's cycles. A token endpoint's refusal is
//     [ErrRefused] naming the RFC 6749 §5.2 error code.
//   - [JWTExpiry]: the exp claim (RFC 7519 §4.1.4) of a static Secret
//     Token that is a JWT, read without verifying it: Entra quarantines a
//     job whose token expires, so Provisio warns a week ahead
//     ([ExpiryLead]).
//   - [State]: the warnings of a job's credentials (expiring, refused
//     after they had worked), each raised once per condition, not once
//     per cycle; the job service persists it and tells its observers.
//
// Secrets never appear in errors or logs.
package credentials
