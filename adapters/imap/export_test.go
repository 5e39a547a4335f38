package imap

// SetBatchSize changes the fetch batch for a test and returns the undo.
func SetBatchSize(n int) func() {
	old := batchSize
	batchSize = n
	return func() { batchSize = old }
}
