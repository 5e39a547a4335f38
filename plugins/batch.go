package plugins

// Listings cross the wire in batches: one gRPC message per item would cost
// a frame, a flow-control round and a syscall per item, which is what makes
// a naive plugin protocol several times slower than in process. These
// bounds keep a message far below the 64 MiB limit and the plugin's memory
// bounded while amortising the per-message cost.
const (
	maxBatchItems = 256
	maxBatchBytes = 1 << 20
)

// batcher collects converted values and hands them to flush in batches of
// at most maxBatchItems values or about maxBatchBytes (a single value larger
// than that still travels, alone). It is not safe for concurrent use; a
// listing emits from one goroutine.
type batcher[T any] struct {
	flush func(batch []T) error
	batch []T
	size  int
}

func newBatcher[T any](flush func(batch []T) error) *batcher[T] {
	return &batcher[T]{flush: flush, batch: make([]T, 0, maxBatchItems)}
}

// add queues v, whose encoded size is about size bytes, and flushes when
// the batch is full. The flush error (the stream broke, the host went
// away) is returned so the adapter stops listing.
func (b *batcher[T]) add(v T, size int) error {
	b.batch = append(b.batch, v)
	b.size += size
	if len(b.batch) < maxBatchItems && b.size < maxBatchBytes {
		return nil
	}
	batch := b.take()
	return b.flush(batch)
}

// take returns the queued values and starts a new batch. The returned
// slice is not reused: gRPC may still hold a sent message.
func (b *batcher[T]) take() []T {
	batch := b.batch
	b.batch = make([]T, 0, maxBatchItems)
	b.size = 0
	return batch
}
