// Package client is a SCIM 2.0 client (RFC 7644) for provisioning into a
// service provider: the one place every request to a target passes, so
// timeouts, retries, Retry-After, rate limits and concurrency live here.
//
// It owns:
//   - the protocol operations: [Client.Create] (RFC 7644 §3.3),
//     [Client.Get] and [Client.List] (§3.4.1, §3.4.2), [Client.All]
//     (paging, §3.4.2.4), [Client.Replace] (PUT, §3.5.1), [Client.Patch]
//     (§3.5.2), [Client.Delete] (§3.6), [Client.Bulk] (§3.7) and discovery
//     (§4: [Client.ServiceProviderConfig], [Client.Schemas],
//     [Client.ResourceTypes]);
//   - [Client.TestConnection], the probe Microsoft Entra ID runs: a query
//     for a random GUID that must answer 200 with an empty ListResponse,
//     with failures explained as a [*ConnectionError];
//   - typed errors ([*Error], with the parsed SCIM error of RFC 7644 §3.12)
//     and the predicates [IsNotFound], [IsConflict], [IsUnauthorized],
//     [IsRetryable];
//   - the request gate: a per-attempt timeout, a [RetryPolicy]
//     (exponential backoff with jitter, Retry-After as seconds or
//     HTTP-date, shared by all requests of the client), a token-bucket rate
//     limit and a concurrency cap that adapt to the target by AIMD, halving
//     on 429 and 503 and growing back on success ([Throttle], which
//     clients of one target may share: [WithThrottle]);
//   - an optional check of every address dialled ([WithDialControl]),
//     after name resolution, for callers that restrict their targets;
//   - safe filter construction ([Eq]) and per-target [Quirks];
//   - a per-context trace of every attempt sent and the status answered
//     ([ContextWithTrace]), for callers that show what they sent.
//
// Requests send Content-Type application/scim+json (RFC 7644 §8.1) and
// accept application/scim+json or application/json answers. Response
// bodies are read up to a size limit. The bearer token is read from a
// function on every attempt, so it can be rotated, and is never logged.
//
// Retries: 429 and 503 are retried for every method (the server did not
// process the request); 500, 502, 504, timeouts and dropped connections
// only for GET, HEAD, PUT and DELETE; DNS and connect failures for every
// method, since such a request never reached the server. POST and PATCH
// are otherwise not retried (PATCH is with [RetryPolicy].RetryPatch), so
// a create is never sent twice by the client; callers that want to retry
// one whose answer was lost ([MayHaveApplied]) should re-check the target
// first (e.g. query by the matching attribute before creating). A
// policy's MaxElapsed bounds a request's attempts and waits in time.
package client
