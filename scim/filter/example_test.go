package filter_test

import (
	"errors"
	"fmt"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
)

func Example() {
	users, _ := scim.NewStandardRegistry().ResourceType("User")

	expr, err := filter.Parse(`userName eq "BJENSEN@example.com" and emails[type eq "work"]`, filter.Options{})
	if err != nil {
		fmt.Println("400 invalidFilter:", err)
		return
	}
	m, err := filter.Compile(expr, users)
	if err != nil {
		fmt.Println("400 invalidFilter:", err)
		return
	}
	user := scim.Resource{
		"userName": "bjensen@example.com",
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
	}
	fmt.Println(m.Match(user))
	fmt.Println(filter.Format(m.Expr()))
	// Output:
	// true
	// urn:ietf:params:scim:schemas:core:2.0:User:userName eq "BJENSEN@example.com" and urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]
}

func ExampleParse_lenient() {
	_, err := filter.Parse(`meta.created gt 2015-10-10T14:38:21.8617979-07:00`, filter.Options{})
	var se *filter.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Pos, err)
	}
	expr, _ := filter.Parse(`meta.created gt 2015-10-10T14:38:21.8617979-07:00`, filter.Options{Lenient: true})
	fmt.Println(filter.Format(expr))
	// Output:
	// 17 at column 17: expected comparison value (quoted string, number, true, false or null), found "2015-10-10T14:38:21.8617979-07:00"
	// meta.created gt "2015-10-10T14:38:21.8617979-07:00"
}

func ExampleParsePath() {
	p, _ := filter.ParsePath(`emails[type eq "work"].value`, filter.Options{})
	fmt.Printf("attribute %s, filter %s, sub-attribute %s\n", p.Attr, filter.Format(p.Filter), p.Sub)
	// Output:
	// attribute emails, filter type eq "work", sub-attribute value
}
