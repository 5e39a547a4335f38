package adapters

import (
	"errors"
	"testing"
)

func TestErrorCodesMatchSentinels(t *testing.T) {
	err := Wrap(CodeConflict, Errorf(CodeUnknown, "etag mismatch"), "item x")
	if CodeOf(err) != CodeConflict {
		t.Fatalf("CodeOf = %s", CodeOf(err))
	}
	if !errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
		t.Error("errors.Is must match by code")
	}
	if Wrap(CodeTemporary, nil, "x") != nil {
		t.Error("Wrap(nil) must be nil")
	}
}
