package svcerr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	busy := New(Busy, "job_busy", "a cycle is running elsewhere")
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"sentinel", busy, Busy},
		{"wrapped", fmt.Errorf("run job: %w", busy), Busy},
		{"formatted", Errorf(Conflict, "a tenant named %q already exists", "acme"), Conflict},
		{"instance", fmt.Errorf("x: %w", busy.With("y")), Busy},
		{"joined", errors.Join(errors.New("other"), Errorf(Invalid, "field %q: too long", "name")), Invalid},
		{"plain", errors.New("disk full"), 0},
		{"nil", nil, 0},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := fmt.Errorf("run job: %w", busy).Error(); got != "run job: a cycle is running elsewhere" {
		t.Errorf("wrapped Error() = %q, want the context and the message", got)
	}
	inst := busy.With("job %q is busy", "x")
	if !errors.Is(inst, busy) || inst.Error() != `job "x" is busy` || inst.Code != "job_busy" || KindOf(inst) != Busy {
		t.Errorf("busy.With() = %#v, want an instance of busy with its own message", inst)
	}
}

func TestOwn(t *testing.T) {
	storeMiss := errors.New("not found")
	mine := New(NotFound, "", "no such job")
	busy := New(Busy, "job_busy", "busy")
	table := []Translation{{From: storeMiss, To: mine}}
	tests := []struct {
		name     string
		err      error
		wantKind Kind
		wantIs   error
		wantMsg  string
	}{
		{"nil", nil, 0, nil, ""},
		{"owned sentinel", fmt.Errorf("read job %q: %w", "a", storeMiss), NotFound, mine, `read job "a": not found`},
		{"service error kept", fmt.Errorf("run: %w", busy), Busy, busy, "run: busy"},
		{"unknown kept", errors.New("disk full"), 0, nil, "disk full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Own(tt.err, table...)
			if tt.err == nil {
				if got != nil {
					t.Fatalf("Own(nil) = %v, want nil", got)
				}
				return
			}
			if KindOf(got) != tt.wantKind || got.Error() != tt.wantMsg {
				t.Errorf("Own(%v) = %v (kind %v), want %q (kind %v)", tt.err, got, KindOf(got), tt.wantMsg, tt.wantKind)
			}
			if tt.wantIs != nil && !errors.Is(got, tt.wantIs) {
				t.Errorf("Own(%v) does not wrap %v", tt.err, tt.wantIs)
			}
		})
	}
}
