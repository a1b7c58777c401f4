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
// telephoneNumber, streetAddress and postalCode; and the app role,
// SingleAppRoleAssignment([appRoleAssignments]) → roles[primary eq
// "True"].value (Entra's documented roles mapping, sent as Entra's POST
// does: {"primary": true, "type": "WindowsAzureActiveDirectoryRole",
// "value": role}).
//
// Unlike Entra's, the optional attributes (all but userName and active)
// are ClearWhenEmpty: a value cleared in the directory, or a role taken
// away, is removed from the account instead of lingering there.
func DefaultUserMapping() ObjectMapping {
	return ObjectMapping{
		Type:     TypeUser,
		Endpoint: "Users",
		Schemas:  []string{scim.UserSchema, scim.EnterpriseUserSchema},
		Actions:  AllActions,
		Attributes: []AttributeMapping{
			{Target: "userName", Source: Direct{"userPrincipalName"}, Match: 1},
			{Target: "active", Source: mustExpression("Not([IsSoftDeleted])")},
			clearing(AttributeMapping{Target: "displayName", Source: Direct{"displayName"}}),
			clearing(AttributeMapping{Target: "name.givenName", Source: Direct{"givenName"}}),
			clearing(AttributeMapping{Target: "name.familyName", Source: Direct{"surname"}}),
			clearing(AttributeMapping{Target: `emails[type eq "work"].value`, Source: Direct{"mail"}}),
			clearing(AttributeMapping{Target: "externalId", Source: Direct{"mailNickname"}}),
			clearing(AttributeMapping{Target: "title", Source: Direct{"jobTitle"}}),
			clearing(AttributeMapping{Target: enterprise + "department", Source: Direct{"department"}}),
			clearing(AttributeMapping{Target: enterprise + "employeeNumber", Source: Direct{"employeeId"}}),
			clearing(AttributeMapping{Target: enterprise + "manager", Source: Direct{"manager"}, Reference: true}),
			clearing(AttributeMapping{Target: `phoneNumbers[type eq "mobile"].value`, Source: Direct{"mobile"}}),
			clearing(AttributeMapping{Target: `phoneNumbers[type eq "work"].value`, Source: Direct{"telephoneNumber"}}),
			clearing(AttributeMapping{Target: `addresses[type eq "work"].streetAddress`, Source: Direct{"streetAddress"}}),
			clearing(AttributeMapping{Target: `addresses[type eq "work"].postalCode`, Source: Direct{"postalCode"}}),
			clearing(AttributeMapping{Target: `roles[primary eq "True"].value`, Source: mustExpression("SingleAppRoleAssignment([appRoleAssignments])")}),
		},
	}
}

func clearing(a AttributeMapping) AttributeMapping {
	a.ClearWhenEmpty = true
	return a
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
