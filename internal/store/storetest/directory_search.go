package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/store"
)

// testDirSearchUsers checks UserQuery.Search: a case-insensitive prefix of
// userPrincipalName, with no wildcard characters (% _ are literal), with
// paging and the deleted selection.
func testDirSearchUsers(t *testing.T, d store.Directory) {
	for _, upn := range []string{"Ann@x", "anna.smith@x", "a.b@x", "ab@x", "a_c@x", "axc@x", "b@x", "Élise@x", "bob@ann"} {
		mustDirUser(t, d, directory.User{UserPrincipalName: upn, AccountEnabled: true})
	}
	gone := mustDirUser(t, d, directory.User{UserPrincipalName: "annie@x", AccountEnabled: true})
	if _, err := d.SoftDeleteUser(dctx, gone.ObjectID, time.Now()); err != nil {
		t.Fatalf("SoftDeleteUser = %v", err)
	}
	search := func(q store.UserQuery) string {
		t.Helper()
		us, err := d.ListUsers(dctx, q)
		if err != nil {
			t.Fatalf("ListUsers(%+v) = %v", q, err)
		}
		var upns []string
		for _, u := range us {
			upns = append(upns, u.UserPrincipalName)
		}
		return fmt.Sprint(upns)
	}
	for _, tc := range []struct {
		q    store.UserQuery
		want string
	}{
		{store.UserQuery{Search: "ANN"}, "[Ann@x anna.smith@x]"},
		{store.UserQuery{Search: "ann", Deleted: store.AnyDeleted}, "[Ann@x anna.smith@x annie@x]"},
		{store.UserQuery{Search: "ann", Deleted: store.DeletedOnly}, "[annie@x]"},
		{store.UserQuery{Search: "a_"}, "[a_c@x]"},
		{store.UserQuery{Search: "a%"}, "[]"},
		{store.UserQuery{Search: "a."}, "[a.b@x]"},
		{store.UserQuery{Search: "é"}, "[Élise@x]"},
		{store.UserQuery{Search: "ann", Limit: 1}, "[Ann@x]"},
		{store.UserQuery{Search: "ann", Limit: 1, After: "Ann@x"}, "[anna.smith@x]"},
		{store.UserQuery{Search: "zz"}, "[]"},
	} {
		if got := search(tc.q); got != tc.want {
			t.Errorf("ListUsers(%+v) = %s, want %s", tc.q, got, tc.want)
		}
	}
}
