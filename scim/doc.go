// Package scim holds the SCIM 2.0 wire types and the schema model shared by
// Provisio's SCIM server, client and provisioning engine.
//
// It owns (RFC 7643, RFC 7644):
//   - resources as JSON objects ([Resource]) in canonical attribute spelling,
//     extension attributes in an object under their schema URI (RFC 7643 §3.3);
//   - the schema registry ([Registry]) with attribute characteristics
//     (RFC 7643 §2, §7), the User, EnterpriseUser and Group schemas of
//     RFC 7643 §8.7.1 ([NewStandardRegistry]) and custom extension schemas
//     registered at run time ([Registry.AddSchema], [Registry.AddExtension]);
//   - attribute paths ([AttrPath], RFC 7644 §3.10) resolved
//     case-insensitively against a resource type ([ResourceType.Resolve]),
//     including the common attributes id, externalId and meta (RFC 7643 §3.1);
//   - validation and coercion of what clients write ([ResourceType.Normalize]
//     for POST, [ResourceType.Replace] for PUT, RFC 7644 §3.3, §3.5.1), with
//     the leniencies Microsoft Entra ID and Okta need (string booleans, any
//     name case, flat URN keys, unknown schema URIs);
//   - response projection by attributes/excludedAttributes and the
//     "returned" characteristic ([ResourceType.ParseAttributeList],
//     [ResourceType.Project], RFC 7644 §3.4.2.5, §3.9);
//   - protocol messages: [ListResponse], [Error] (RFC 7644 §3.12),
//     [PatchRequest] (§3.5.2), [BulkRequest] (§3.7), [ServiceProviderConfig]
//     (RFC 7643 §5).
//
// A service provider builds one registry at start-up and, per request, looks
// up the resource type, normalizes the body, stores the canonical resource
// and projects it for the response:
//
//	reg := scim.NewStandardRegistry()
//	users, _ := reg.ResourceTypeByEndpoint("/Users")
//	res, err := users.Normalize(body, scim.NormalizeOptions{}) // err is a *scim.Error
//	// ... assign id and meta, store res ...
//	attrs, err := users.ParseAttributeList(query.Get("attributes"))
//	excluded, err := users.ParseAttributeList(query.Get("excludedAttributes"))
//	reply := users.Project(res, attrs, excluded)
//
// Every client error is an [*Error] carrying its HTTP status and scimType.
// Schemas and resource types are precomputed when registered, so resolution,
// normalization and projection do no reflection and no locking. The package
// performs no I/O.
package scim
