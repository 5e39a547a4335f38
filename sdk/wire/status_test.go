package wire

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
)

// allCodes enumerates adapters.Code by its String method, so a code added
// to the contract is tested without editing this list.
func allCodes() []adapters.Code {
	var out []adapters.Code
	for c := adapters.Code(0); !strings.HasPrefix(c.String(), "code("); c++ {
		out = append(out, c)
	}
	return out
}

func TestEveryCodeHasAWireAndAGRPCCode(t *testing.T) {
	if len(allCodes()) < 9 {
		t.Fatalf("found only %d codes", len(allCodes()))
	}
	for _, c := range allCodes() {
		if _, ok := wireCodes[c]; !ok {
			t.Errorf("%s has no wire code", c)
		}
		if _, ok := grpcCodes[c]; !ok {
			t.Errorf("%s has no gRPC code", c)
		}
	}
}

func TestPerItemStatusKeepsCodeAndMessage(t *testing.T) {
	for _, c := range allCodes() {
		in := adapters.Errorf(c, "item %s failed", c)
		out := StatusFromWire(StatusToWire(in))
		if adapters.CodeOf(out) != c || out.Error() != in.Error() {
			t.Errorf("%s: got %v (%s)", c, out, adapters.CodeOf(out))
		}
	}
	if StatusToWire(nil) != nil || StatusFromWire(nil) != nil {
		t.Error("success did not stay nil")
	}
}

func TestCallErrorKeepsCodeAndMessage(t *testing.T) {
	for _, c := range allCodes() {
		in := adapters.Wrap(c, errors.New("backend said no"), "listing calendar")
		wire := CallErrorToWire(in)
		if got := status.Code(wire); got != grpcCodes[c] {
			t.Errorf("%s: gRPC code %s, want %s", c, got, grpcCodes[c])
		}
		out := CallErrorFromWire(context.Background(), wire)
		if adapters.CodeOf(out) != c {
			t.Errorf("%s: host sees %s", c, adapters.CodeOf(out))
		}
		if !strings.Contains(out.Error(), "listing calendar: backend said no") {
			t.Errorf("%s: message %q lost the adapter's text", c, out)
		}
	}
}

func TestGRPCCodesMapAsDocumented(t *testing.T) {
	want := map[adapters.Code]codes.Code{
		adapters.CodeNotFound:      codes.NotFound,
		adapters.CodeConflict:      codes.Aborted,
		adapters.CodeUnauthorized:  codes.Unauthenticated,
		adapters.CodeUnsupported:   codes.Unimplemented,
		adapters.CodeInvalidConfig: codes.InvalidArgument,
		adapters.CodeTemporary:     codes.Unavailable,
		adapters.CodeCursorInvalid: codes.FailedPrecondition,
	}
	for c, gc := range want {
		if got := status.Code(CallErrorToWire(adapters.Errorf(c, "x"))); got != gc {
			t.Errorf("%s → %s, want %s", c, got, gc)
		}
	}
}

// A plugin in another language sends bare gRPC codes; the host still gets
// the nearest adapters.Code.
func TestBareGRPCStatusMapsToNearestCode(t *testing.T) {
	for gc, want := range map[codes.Code]adapters.Code{
		codes.NotFound:        adapters.CodeNotFound,
		codes.Aborted:         adapters.CodeConflict,
		codes.Unauthenticated: adapters.CodeUnauthorized,
		codes.Unimplemented:   adapters.CodeUnsupported,
		codes.InvalidArgument: adapters.CodeInvalidConfig,
		codes.Unavailable:     adapters.CodeTemporary,
		codes.Internal:        adapters.CodeUnknown,
	} {
		got := CallErrorFromWire(context.Background(), status.Error(gc, "bare"))
		if adapters.CodeOf(got) != want {
			t.Errorf("bare %s → %s, want %s", gc, adapters.CodeOf(got), want)
		}
	}
}

func TestCancellationStaysCancellation(t *testing.T) {
	wire := CallErrorToWire(fmt.Errorf("listing: %w", context.Canceled))
	if status.Code(wire) != codes.Canceled {
		t.Fatalf("cancelled adapter call sent as %s", status.Code(wire))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := CallErrorFromWire(ctx, status.Error(codes.Canceled, "context canceled")); !errors.Is(err, context.Canceled) {
		t.Fatalf("host sees %v, want context.Canceled", err)
	}
}
