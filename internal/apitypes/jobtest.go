package apitypes

// TestCredentials is the optional body of POST /apps/{app}/job/test: a
// Tenant URL and Secret Token to test before saving them, as Entra's Test
// Connection does. Neither is stored. An absent body tests the stored
// credentials; a Tenant URL without a token tests the stored token only
// when the URL is the stored one (a stored token is never sent elsewhere).
type TestCredentials struct {
	TenantURL string `json:"tenantUrl,omitempty"`
	Token     string `json:"token,omitempty"`
}
