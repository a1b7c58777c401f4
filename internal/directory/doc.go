// Package directory is the identity-side domain model of Provisio: the role
// the Microsoft Entra ID tenant plays for its provisioning service.
//
// It owns the shapes, not their storage:
//   - [User] with the attributes Entra provisions to SCIM applications
//     (objectId, userPrincipalName, mail, mailNickname, displayName,
//     givenName, surname, jobTitle, department, employeeId, mobile,
//     telephoneNumber, streetAddress, postalCode, manager, accountEnabled)
//     plus free extension attributes, and soft deletion (Entra's recycle
//     bin: restorable until purged, a hard delete afterwards);
//   - [Group] with members that are users or groups (groups nest);
//   - [App] and [Assignment] of a user or group to an app with an optional
//     app role (Entra's "Sync only assigned users and groups" scope);
//   - [Change], one record of the change feed: every directory write
//     appends one with a monotonic sequence, so a provisioning cycle reads
//     only what changed since its watermark (the role Microsoft Graph delta
//     queries play for Entra).
//
// [UserCatalog] and [GroupCatalog] are the one description of every
// attribute (name, type, single- or multi-valued, whether it can be set,
// how it is stored, help text): [User.Attr] and [Group.Attr], the
// directory service's SetAttr and limits, CSV headers, the store's columns
// and the CLI help derive from them, and [LookupUser] and [LookupGroup]
// find an attribute by name with a typed value accessor. Attribute lookups by name ([User.Attr],
// [Group.Attr]) use Entra's source attribute names, so attribute mappings
// can name them as Entra's mapping editor does. Persistence (SQLite/PostgreSQL) lives in the store packages;
// the provisioning engine reads the directory through its own small Source
// interface.
package directory
