package apitypes

// ProvisionOnDemand asks to provision one object now (POST
// /apps/{app}/job/provision; Entra's "provision on demand"): exactly one
// of User (userPrincipalName or object id) and Group (displayName or
// object id; provisioned after up to 5 of its user members).
type ProvisionOnDemand struct {
	User  string `json:"user,omitempty"`
	Group string `json:"group,omitempty"`
}

// OnDemandResult is what a provision on demand did: the objects in the
// order applied (a group's members first, then the group), the group's
// members left to the next cycle, and the counts of its cycle (kind
// "on-demand", listed by GET .../job/runs).
type OnDemandResult struct {
	CycleID     string              `json:"cycleId"`
	Objects     []ProvisionedObject `json:"objects"`
	MembersLeft int                 `json:"membersLeft"`
	Stats       Stats               `json:"stats"`
}

// ProvisionedObject is one object provisioned on demand: the provisioning
// log entry written for it (steps import, scope, match, action; modified
// properties old → new; error code and reason), the source attributes its
// mappings and scoping filters read, the SCIM requests of its action with
// their bodies, and every request sent with the status answered.
type ProvisionedObject struct {
	Entry      LogEntry         `json:"entry"`
	Attributes []SourceValue    `json:"attributes"`
	Requests   []PreviewRequest `json:"requests"`
	Exchanges  []Exchange       `json:"exchanges"`
}

// SourceValue is a source attribute and its value ("" for null).
type SourceValue struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// Exchange is one request sent to the application: method, path relative
// to the Tenant URL with its query, and the HTTP status answered (0: no
// answer came).
type Exchange struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
}
