package adminapi

import (
	"context"
	"strings"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// testWith runs Test Connection for POST /apps/{app}/job/test: with the
// body's Tenant URL and token when given (tested, not stored), else with
// the job's stored credentials. A Tenant URL without a token is tested
// with the stored token only when it is the stored Tenant URL, so a
// stored token is never sent to another address.
func testWith(ctx context.Context, js Jobs, appID string, body apitypes.TestCredentials) error {
	url := strings.TrimSpace(body.TenantURL)
	switch {
	case url == "" && body.Token == "":
		return js.TestConnection(ctx, appID)
	case url == "":
		return badRequest("tenantUrl is required to test a token")
	case body.Token != "":
		return js.TestCredentials(ctx, url, body.Token)
	}
	j, err := js.Get(ctx, appID)
	if err != nil && !isJobNotFound(err) {
		return err
	}
	if err != nil || !j.TokenSet || j.TenantURL != url {
		return badRequest("the stored Secret Token is only ever sent to the stored Tenant URL: send the secret token again to test this one")
	}
	return js.TestConnection(ctx, appID)
}
