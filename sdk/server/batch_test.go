package server

import (
	"testing"

	"github.com/gwsync/gwsync/sdk/wire"
)

func TestBatcherBoundsItemsAndBytes(t *testing.T) {
	var sizes []int
	b := newBatcher(func(batch []int) error { sizes = append(sizes, len(batch)); return nil })
	for i := 0; i < 600; i++ {
		if err := b.add(i, 10); err != nil {
			t.Fatal(err)
		}
	}
	if rest := b.take(); len(rest) != 88 || len(sizes) != 2 || sizes[0] != wire.MaxBatchItems || sizes[1] != wire.MaxBatchItems {
		t.Fatalf("batches %v, rest %d; want [256 256], 88", sizes, len(rest))
	}

	sizes = nil
	for i := 0; i < 10; i++ {
		_ = b.add(i, wire.MaxBatchBytes/4+1)
	}
	if len(sizes) != 2 || sizes[0] != 4 || sizes[1] != 4 {
		t.Fatalf("big items batched as %v, want [4 4]", sizes)
	}
}
