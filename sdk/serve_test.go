package sdk

import (
	"testing"

	"github.com/gwsync/gwsync/adapters"
)

func TestServeBuiltinRefusesUnknownAdapter(t *testing.T) {
	err := ServeBuiltin("no-such-adapter")
	if adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("got %v, want InvalidConfig", err)
	}
}

func TestABuiltinProcessServesOnlyItsAdapter(t *testing.T) {
	if err := only("files", "memory"); adapters.CodeOf(err) != adapters.CodeInvalidConfig {
		t.Fatalf("got %v, want InvalidConfig", err)
	}
	if err := only("files", "files"); err != nil {
		t.Fatal(err)
	}
}
