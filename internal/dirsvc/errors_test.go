package dirsvc

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
)

// TestOwn: the store's sentinels become the service's own, messages
// unchanged; anything else passes as it is.
func TestOwn(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error // errors.Is(own(err), want); nil: own(err) is err
	}{
		{"store miss", fmt.Errorf("user %q: %w", "x", store.ErrNotFound), ErrNotFound},
		{"store conflict", errors.Join(nil, fmt.Errorf("userPrincipalName %q: %w", "a@x", store.ErrExists)), ErrExists},
		{"store invalid", fmt.Errorf("empty userPrincipalName: %w", store.ErrInvalid), ErrInvalid},
		{"malformed CSV", fmt.Errorf("header: %w", &csv.ParseError{StartLine: 1, Line: 1, Column: 3, Err: csv.ErrBareQuote}), ErrInvalid},
		{"service error", fmt.Errorf("x: %w", ErrExists), nil},
		{"database down", context.DeadlineExceeded, nil},
		{"nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := own(tt.err)
			switch {
			case tt.want == nil && got != tt.err:
				t.Errorf("own(%v) = %v, want it unchanged", tt.err, got)
			case tt.want != nil && (!errors.Is(got, tt.want) || got.Error() != tt.err.Error()):
				t.Errorf("own(%v) = %v, want %v with the same message", tt.err, got, tt.want)
			case errors.Is(got, store.ErrNotFound) || errors.Is(got, store.ErrExists) || errors.Is(got, store.ErrInvalid):
				t.Errorf("own(%v) = %v, still the store's sentinel", tt.err, got)
			}
		})
	}
}
