package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

func Example() {
	ctx := context.Background()
	srv := startTenant() // a local SCIM service for the example
	defer srv.Close()
	tenantURL := srv.URL + "/scim/v2" // e.g. "https://app.example.com/scim/v2"

	c, err := client.New(tenantURL,
		client.WithStaticToken(tenantToken),
		client.WithTimeout(10*time.Second),
		client.WithRateLimit(50, 10), // 50 requests/s, bursts of 10
		client.WithMaxConcurrency(8), // at most 8 in flight
		client.WithQuirks(client.Quirks{MaxMembersPerPatch: 100}),
	)
	if err != nil {
		log.Fatal(err)
	}

	// What Entra ID's "Test Connection" does.
	if err := c.TestConnection(ctx, "userName"); err != nil {
		var ce *client.ConnectionError
		if errors.As(err, &ce) {
			fmt.Println("connection problem:", ce.Reason)
		}
		log.Fatal(err)
	}

	// Match by userName, create if missing.
	page, err := c.List(ctx, "Users", client.Query{Filter: client.Eq("userName", "bjensen@example.com")})
	if err != nil {
		log.Fatal(err)
	}
	var id string
	if page.TotalResults == 0 {
		user, err := c.Create(ctx, "Users", scim.Resource{
			"schemas":  []any{scim.UserSchema},
			"userName": "bjensen@example.com",
			"active":   true,
		})
		if client.IsConflict(err) {
			log.Fatal("created concurrently; match again")
		} else if err != nil {
			log.Fatal(err)
		}
		id = user["id"].(string)
	}

	// Disable, as Entra does when a user leaves scope.
	ops := []scim.PatchOperation{{Op: "replace", Path: "active", Value: json.RawMessage(`false`)}}
	if _, err := c.Patch(ctx, "Users", id, ops); err != nil {
		log.Fatal(err)
	}
	user, err := c.Get(ctx, "Users", id, "userName", "active")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(user["userName"], user["active"])
	// Output: bjensen@example.com false
}

func ExampleEq() {
	fmt.Println(client.Eq("userName", `o"brien\dom`))
	// Output: userName eq "o\"brien\\dom"
}
