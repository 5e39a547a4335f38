package server

import "github.com/gwsync/gwsync/sdk/wire"

// batcher collects converted values and hands them to flush in batches of
// at most wire.MaxBatchItems values or about wire.MaxBatchBytes (a single value larger
// than that still travels, alone). It is not safe for concurrent use; a
// listing emits from one goroutine.
type batcher[T any] struct {
	flush func(batch []T) error
	batch []T
	size  int
}

func newBatcher[T any](flush func(batch []T) error) *batcher[T] {
	return &batcher[T]{flush: flush, batch: make([]T, 0, wire.MaxBatchItems)}
}

// add queues v, whose encoded size is about size bytes, and flushes when
// the batch is full. The flush error (the stream broke, the host went
// away) is returned so the adapter stops listing.
func (b *batcher[T]) add(v T, size int) error {
	b.batch = append(b.batch, v)
	b.size += size
	if len(b.batch) < wire.MaxBatchItems && b.size < wire.MaxBatchBytes {
		return nil
	}
	batch := b.take()
	return b.flush(batch)
}

// take returns the queued values and starts a new batch. The returned
// slice is not reused: gRPC may still hold a sent message.
func (b *batcher[T]) take() []T {
	batch := b.batch
	b.batch = make([]T, 0, wire.MaxBatchItems)
	b.size = 0
	return batch
}
