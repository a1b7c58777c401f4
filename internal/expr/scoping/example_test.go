package scoping_test

import (
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/expr/scoping"
)

// member is a directory user with its groups, as the engine offers it.
type member struct {
	*directory.User
	groups []string
}

func (m member) MemberOf(group string) bool {
	for _, g := range m.groups {
		if g == group {
			return true
		}
	}
	return false
}

func ExampleFilters_Compile() {
	var f scoping.Filter
	for _, s := range []string{
		`department EQUALS Sales`,
		`userPrincipalName REGEX MATCH @contoso\.com$`,
		`accountEnabled is_true`,
	} {
		c, err := scoping.ParseClause(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		f.Clauses = append(f.Clauses, c)
	}
	filters := scoping.Filters{f, {Clauses: []scoping.Clause{{Operator: scoping.MemberOf, Value: "Sales EMEA"}}}}
	set, err := filters.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Attributes(), set.Groups())
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	alice := member{User: &directory.User{UserPrincipalName: "alice@contoso.com", Department: "Sales", AccountEnabled: true}}
	bob := member{User: &directory.User{UserPrincipalName: "bob@contoso.com", Department: "HR", AccountEnabled: true}}
	for _, u := range []member{alice, bob} {
		in, reason := set.Match(u, now)
		fmt.Printf("%s: %v %q\n", u.UserPrincipalName, in, reason)
	}
	// Output:
	// [accountenabled department userprincipalname] [Sales EMEA]
	// alice@contoso.com: true ""
	// bob@contoso.com: false "no scoping filter matched (2 filters); filter 2: MEMBER_OF Sales EMEA is false"
}

func ExampleParseClause_error() {
	_, err := scoping.ParseClause(`department EQUAL Sales`)
	fmt.Println(err)
	// Output:
	// scoping clause "department EQUAL Sales": unknown operator "EQUAL"; valid operators: &, !&, ENDS_WITH, EQUALS, Greater_Than, Greater_Than_OR_EQUALS, Includes, IS FALSE, IS NOT NULL, IS NULL, IS TRUE, NOT EQUALS, NOT REGEX MATCH, REGEX MATCH, MEMBER_OF, NOT_MEMBER_OF, OLDER_THAN, NEWER_THAN, AFTER, BEFORE
}
