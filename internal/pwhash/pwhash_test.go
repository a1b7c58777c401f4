package pwhash

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestHashCompare(t *testing.T) {
	h, err := Hash(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash() = %q, want an argon2id PHC string with Params", h)
	}
	tests := []struct {
		name, pw, hash string
		want           bool
		wantErr        bool
	}{
		{"match", "correct horse battery", h, true, false},
		{"mismatch", "correct horse batterY", h, false, false},
		{"not a hash", "x", "plain", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(context.Background(), tc.pw, tc.hash)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("Compare(%q) = %v, %v, want %v (error %v)", tc.pw, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range cap(slots) {
		slots <- struct{}{}
	}
	defer func() {
		for range cap(slots) {
			<-slots
		}
	}()
	if _, err := Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
		t.Errorf("Hash(all slots taken, canceled) = %v, want context.Canceled", err)
	}
	if _, err := Compare(ctx, "pw", "h"); !errors.Is(err, context.Canceled) {
		t.Errorf("Compare(all slots taken, canceled) = %v, want context.Canceled", err)
	}
}
