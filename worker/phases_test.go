package worker

import (
	"reflect"
	"testing"
	"time"
)

// The phases go to the log in milliseconds with microsecond precision,
// under the names bench/scale/README.md tells readers to grep for.
func TestPhasesFieldsInMilliseconds(t *testing.T) {
	p := phases{lease: 1500 * time.Microsecond, open: 2 * time.Millisecond, run: time.Second, close: 250 * time.Microsecond}
	want := []any{"lease_ms", 1.5, "open_ms", 2.0, "run_ms", 1000.0, "close_ms", 0.25}
	if got := p.fields(); !reflect.DeepEqual(got, want) {
		t.Errorf("fields() = %v, want %v", got, want)
	}
}
