package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/testdb"
)

// oktaSuite is Okta's "SCIM 2.0 SPEC Test", relative to the suites dir.
const oktaSuite = "okta-scim20-spec/Okta-SCIM-20-SPEC-Test.runscope.json"

// TestOktaSPEC runs Okta's SPEC test against a fresh tenant created
// through the admin API with the "okta" policy preset, on SQLite and
// (with PROVISIO_TEST_POSTGRES) on PostgreSQL. Each request step is a
// subtest and each of its assertions a subtest of that, so a failure names
// the step and the assertion.
func TestOktaSPEC(t *testing.T) {
	suite, err := LoadTest(suitePath(t, oktaSuite))
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			svc := startService(t, db.DSN(t))
			ten := svc.createTenant(t, "okta-spec", "okta")
			ten.seedUser(t)
			runSuite(t, suite, &Runner{Client: ten.client, Vars: oktaVars(ten)})
		})
	}
}

// oktaVars are the inputs the SPEC test expects from the person running
// it: the tenant URL, the whole Authorization header and random user data.
func oktaVars(ten *testTenant) Vars {
	suffix := randomHex(6)
	username := "okta.spec." + suffix + "@example.com"
	return Vars{
		"SCIMBaseURL":            ten.url,
		"auth":                   "Bearer " + ten.token,
		"InvalidUserEmail":       "no.such.user." + suffix + "@example.com",
		"UserIdThatDoesNotExist": "00000000-0000-4000-8000-" + randomHex(6),
		"randomUsername":         username,
		"randomUsernameCaps":     strings.ToUpper(username),
		"randomEmail":            "okta.spec.mail." + suffix + "@example.com",
		"randomGivenName":        "Given" + suffix,
		"randomFamilyName":       "Family" + suffix,
	}
}

// seedUser creates the user the SPEC test's first step lists: Okta's test
// assumes the application already has one, with name, active and email.
func (ten *testTenant) seedUser(t *testing.T) {
	t.Helper()
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],` +
		`"userName":"existing.user@example.com","name":{"givenName":"Existing","familyName":"User"},` +
		`"emails":[{"value":"existing.user@example.com","type":"work","primary":true}],"active":true}`
	resp := ten.do(t, http.MethodPost, "/Users", body)
	if resp.Status != http.StatusCreated {
		t.Fatalf("seed user: POST /Users = %d %s, want 201", resp.Status, resp.Body)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
