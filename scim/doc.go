// Package scim holds the SCIM 2.0 wire types and the schema model shared by
// Provisio's SCIM server, client and provisioning engine.
//
// It owns (RFC 7643, RFC 7644):
//   - resources as JSON objects ([Resource]) in canonical attribute spelling,
//   - the schema registry with attribute characteristics (RFC 7643 §2, §7)
//     and the core User, EnterpriseUser and Group schemas (RFC 7643 §8.7),
//   - attribute paths ([AttrPath]) resolved case-insensitively against a
//     resource type ([ResourceType.Resolve]),
//   - protocol messages: [ListResponse], [Error] (RFC 7644 §3.12),
//     [PatchRequest] (§3.5.2), [BulkRequest] (§3.7), [ServiceProviderConfig]
//     (RFC 7643 §5).
//
// The package performs no I/O.
package scim
