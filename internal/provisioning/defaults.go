package provisioning

import "github.com/provisio-dev/provisio/scim"

const enterprise = scim.EnterpriseUserSchema + ":"

// DefaultUserMapping is Entra's default user mapping for SCIM applications
// (use-scim-to-provision-users-and-groups, "default user attribute
// map"): userPrincipalName → userName (matching, precedence 1);
// active ← Not([IsSoftDeleted]) as a real boolean; displayName; givenName →
// name.givenName; surname → name.familyName; mail → emails[type eq
// "work"].value; mailNickname → externalId; jobTitle → title; the
// enterprise extension's department, employeeNumber and manager; mobile,
// telephoneNumber, streetAddress and postalCode.
func DefaultUserMapping() ObjectMapping {
	return ObjectMapping{
		Type:     TypeUser,
		Endpoint: "Users",
		Schemas:  []string{scim.UserSchema, scim.EnterpriseUserSchema},
		Actions:  AllActions,
		Attributes: []AttributeMapping{
			{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1},
			{Target: "active", Source: Not{Direct{"IsSoftDeleted"}}},
			{Target: "displayName", Source: Direct{"displayName"}},
			{Target: "name.givenName", Source: Direct{"givenName"}},
			{Target: "name.familyName", Source: Direct{"surname"}},
			{Target: `emails[type eq "work"].value`, Source: Direct{"mail"}},
			{Target: "externalId", Source: Direct{"mailNickname"}},
			{Target: "title", Source: Direct{"jobTitle"}},
			{Target: enterprise + "department", Source: Direct{"department"}},
			{Target: enterprise + "employeeNumber", Source: Direct{"employeeId"}},
			{Target: enterprise + "manager", Source: Direct{"manager"}, Reference: true},
			{Target: `phoneNumbers[type eq "mobile"].value`, Source: Direct{"mobile"}},
			{Target: `phoneNumbers[type eq "work"].value`, Source: Direct{"telephoneNumber"}},
			{Target: `addresses[type eq "work"].streetAddress`, Source: Direct{"streetAddress"}},
			{Target: `addresses[type eq "work"].postalCode`, Source: Direct{"postalCode"}},
		},
	}
}

// DefaultGroupMapping is Entra's default group mapping: displayName →
// displayName (matching), members → members, objectId → externalId.
func DefaultGroupMapping() ObjectMapping {
	return ObjectMapping{
		Type:     TypeGroup,
		Endpoint: "Groups",
		Schemas:  []string{scim.GroupSchema},
		Actions:  AllActions,
		Attributes: []AttributeMapping{
			{Target: "displayName", Source: Direct{"displayName"}, Match: 1},
			{Target: "externalId", Source: Direct{"objectId"}},
			{Target: "members", Source: Direct{"members"}, Reference: true},
		},
	}
}
