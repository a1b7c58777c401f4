package directory

// App is an application that users and groups are assigned to; one
// provisioning job keeps its accounts in step with the directory.
type App struct {
	ID   string
	Name string
}

// Assignment grants a user or group access to an app, optionally with an
// app role. Only direct assignments exist; members of an assigned group
// are in scope through it.
type Assignment struct {
	AppID         string
	PrincipalID   string // ObjectID of the user or group
	PrincipalKind Kind   // KindUser or KindGroup
	AppRoleID     string
}
