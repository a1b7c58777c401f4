package expr_test

import (
	"fmt"
	"strings"

	"github.com/provisio-dev/provisio/internal/expr"
)

func Example() {
	e, err := expr.Parse(`ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [givenName], [surname]))), "contoso.com"))`)
	if err != nil {
		panic(err)
	}
	user := map[string]any{"givenname": "Zoë", "surname": "Van Dijk"}
	v, ok, err := e.Eval(&expr.Env{Attr: func(name string) (any, bool) {
		v, ok := user[strings.ToLower(name)]
		return v, ok
	}})
	fmt.Println(v, ok, err)
	fmt.Println(e.Attributes(), e.UsesFunction("join"))

	_, err = expr.Parse(`Jion(",", [a])`)
	fmt.Println(err)
	// Output:
	// zoe.vandijk@contoso.com true <nil>
	// [givenName surname] true
	// at 0: unknown function "Jion" (hint: did you mean "Join"?)
}
