package plugins

import (
	"context"
	"testing"
	"time"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// TestConfigureAnswersInfoOnlyWhenAsked: a source the run may not touch
// (Launch.NoFirstInfo) must not pay for Info's I/O, a login, in Configure.
func TestConfigureAnswersInfoOnlyWhenAsked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	clients, err := dispense(MustServeInMemory(t))
	if err != nil {
		t.Fatal(err)
	}
	for i, withInfo := range []bool{false, true} {
		resp, err := clients.source.Configure(wire.WithInstance(ctx, string(rune('a'+i))),
			&pb.SourceServiceConfigureRequest{Config: wire.ConfigToWire("memory", adapters.Config{Name: "first-info"}), WithInfo: withInfo})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.GetInfo().GetName() == "memory"; got != withInfo || resp.GetInfoError() != nil {
			t.Errorf("with_info %v: reply carries info %v (error %v)", withInfo, resp.GetInfo(), resp.GetInfoError())
		}
	}
}
