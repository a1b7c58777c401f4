package expr

import (
	"bytes"
	"strings"
	"time"
)

// attrs is a source object for tests: Attr looks names up ignoring case.
type attrs map[string]any

func (a attrs) env() *Env {
	return &Env{
		Attr: func(name string) (any, bool) {
			for k, v := range a {
				if strings.EqualFold(k, name) {
					return v, true
				}
			}
			return nil, false
		},
		Now:  func() time.Time { return time.Date(2021, 7, 2, 15, 33, 38, 0, time.UTC) },
		Rand: bytes.NewReader(bytes.Repeat([]byte{7, 1, 200, 33, 91, 250, 18, 64}, 512)),
	}
}
