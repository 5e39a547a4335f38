package imap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/gwsync/gwsync/adapters"
	"github.com/gwsync/gwsync/adapters/mailmsg"
)

// uidsAbove lists the UIDs above uid in the selected folder, ascending.
// "UID n:*" always matches the last message even when its UID is below n,
// so the answer is filtered.
func (r *folderRun) uidsAbove(name string, uid uint32) ([]imap.UID, error) {
	var set imap.UIDSet
	set.AddRange(imap.UID(uid+1), 0) // 0 is "*"
	r.s.count()
	data, err := r.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, nil).Wait()
	if err != nil {
		return nil, r.s.folderErr(name, "UID SEARCH", err)
	}
	all, ok := data.All.(imap.UIDSet)
	if !ok {
		return nil, nil // no match: go-imap leaves All nil
	}
	nums, ok := all.Nums()
	if !ok {
		return nil, adapters.Errorf(adapters.CodeTemporary, "imap: folder %q: server answered UID SEARCH with a dynamic set", name)
	}
	out := nums[:0]
	for _, u := range nums {
		if uint32(u) > uid {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// fetch reads the given messages (UID FETCH BODY.PEEK[], which leaves
// \Seen alone) in batches of batchSize, maps them with mailmsg.Parse and
// emits them.
//
// The batches are pipelined: the next UID FETCH is sent before the answer
// to the current one is read, so the server never idles between batches
// (against Dovecot, 200-message batches one after the other cost a third
// of the import's time).
//
// Parsing is the costly part, so it runs on every CPU: a message up to
// parallelMaxBytes is read into a pooled buffer and parsed by a worker; a
// larger one is parsed straight off the socket as it streams in, so its
// size never reaches the heap. At most a few buffers per CPU are in
// flight. emit is called from this goroutine only, one item at a time, in
// arrival order of the parses.
func (r *folderRun) fetch(name string, uidValidity uint32, batches []fetchBatch) error {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan parseJob, 2*workers)
	results := make(chan parseJob, 2*workers)
	var fetchErr error
	go func() { // the reader: owns the commands
		defer close(jobs)
		fetchErr = r.readBatches(batches, jobs)
		// Every answer is in: emitting what is still queued may take
		// its time without the connection taking that for a stall.
		if r.wire != nil {
			r.wire.idle()
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.parse()
				results <- j
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	var stop error
	for j := range results {
		if stop != nil {
			continue // draining after an abort
		}
		if err := r.ctx.Err(); err != nil {
			stop = err
			r.s.dropAsync()
			continue
		}
		j.item.ID = fmt.Sprintf("%s/%d/%d", name, uidValidity, j.uid)
		mailmsg.LimitParts(j.item.Attachments, r.s.storeLimit())
		if err := r.emit(j.item); err != nil {
			// The rest is still on the wire: dropping the connection is
			// cheaper than reading it.
			r.emitFailed, stop = true, err
			r.s.dropAsync()
			continue
		}
		r.count++
	}
	if stop != nil {
		return stop
	}
	if fetchErr != nil {
		return r.s.folderErr(name, "UID FETCH", fetchErr)
	}
	return nil
}

// fetchBatch is one UID FETCH: its UID set, and which UIDs of an answer
// it asked for (a server may send unsolicited FETCH responses, flag
// changes, and "n:*" always matches the last message).
type fetchBatch struct {
	set   imap.UIDSet
	asked func(imap.UID) bool
}

// listBatches cuts uids (ascending, as uidsAbove returns them) into
// batches of batchSize; an answer is matched to its batch by binary search.
func listBatches(uids []imap.UID) []fetchBatch {
	var out []fetchBatch
	for len(uids) > 0 {
		n := min(batchSize, len(uids))
		batch := uids[:n]
		uids = uids[n:]
		out = append(out, fetchBatch{set: imap.UIDSetNum(batch...), asked: func(u imap.UID) bool {
			_, ok := slices.BinarySearch(batch, u)
			return ok
		}})
	}
	return out
}

// readBatches sends one UID FETCH per batch, with up to pipelineDepth
// commands in flight, and passes every message to jobs.
// Each command is read by its own goroutine: a server may interleave the
// answers of pipelined commands (Dovecot does), and go-imap hands a
// message's literal to its command only, so one reader for all would wait
// on the first command while the second's literal blocks the connection.
// It returns the first command error; no batch is sent after one.
func (r *folderRun) readBatches(batches []fetchBatch, jobs chan<- parseJob) error {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		first  error
		window = make(chan struct{}, pipelineDepth)
	)
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return first != nil }
	for _, batch := range batches {
		if failed() {
			break
		}
		window <- struct{}{}
		if failed() {
			<-window
			break
		}
		r.s.count()
		cmd := r.c.Fetch(batch.set, &imap.FetchOptions{
			UID:         true,
			BodySection: []*imap.FetchItemBodySection{{Peek: true}},
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-window }()
			for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
				j := readFetched(r.c, msg)
				if j.uid == 0 || !batch.asked(j.uid) {
					j.release()
					continue // an unsolicited FETCH (flag change) or a stray answer
				}
				jobs <- j
			}
			if err := cmd.Close(); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// pipelineDepth is how many UID FETCH commands are in flight at once.
const pipelineDepth = 2

// parallelMaxBytes is the largest message buffered for a parse worker.
const parallelMaxBytes = 1 << 20

// parseJob is one fetched message on its way to an item.
type parseJob struct {
	uid  imap.UID
	raw  *[]byte // pooled buffer with the body to parse, or nil when item is final
	item adapters.Item
}

func (j *parseJob) parse() {
	if j.raw == nil {
		return
	}
	j.item = parseBody(bytes.NewReader(*j.raw), j.uid)
	j.release()
}

// release returns the job's buffer to the pool. The item holds no
// reference to it: mailmsg.Parse copies what it keeps.
func (j *parseJob) release() {
	if j.raw != nil {
		bodyBuffers.Put(j.raw)
		j.raw = nil
	}
}

// bodyBuffers recycles the message buffers: a fresh one per message was
// the largest allocation of an import (and the garbage collector's work).
var bodyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// bodyBuffer returns a pooled buffer of length n.
func bodyBuffer(n int) *[]byte {
	b := bodyBuffers.Get().(*[]byte)
	if cap(*b) < n {
		*b = make([]byte, n, max(n, 64<<10))
	}
	*b = (*b)[:n]
	return b
}

// readFetched reads one FETCH response: its UID and its body, buffered
// when small, else parsed as it streams in.
//
// A body that cannot be read to its end means the connection failed. Then
// c is closed, which waits for go-imap's reader goroutine to stop, before
// msg.Next is called again: go-imap v2.0.0-beta.8 hands the decoder back
// to its reader at the literal's first read error, and Next discards the
// rest of the same literal from the same buffered reader, a data race on
// the connection's bufio.Reader (seen with -race when a connection drops
// mid-literal). With the reader stopped first, the discard only sees the
// closed connection. The command then fails with the connection's error.
func readFetched(c *imapclient.Client, msg *imapclient.FetchMessageData) parseJob {
	var j parseJob
	var body imap.LiteralReader
	for {
		item := msg.Next()
		if item == nil {
			break
		}
		switch d := item.(type) {
		case imapclient.FetchItemDataUID:
			j.uid = d.UID
		case imapclient.FetchItemDataBodySection:
			body = d.Literal
			if body == nil {
				continue
			}
			if body.Size() <= parallelMaxBytes {
				buf := bodyBuffer(int(body.Size()))
				if _, err := io.ReadFull(body, *buf); err != nil {
					bodyBuffers.Put(buf)
					body = nil
					_ = c.Close() // see above: before msg.Next
					continue
				}
				j.raw = buf
			} else {
				// UID usually comes first; if not, parseBody names UID 0.
				lit := &readErr{r: body}
				j.item = parseBody(lit, j.uid)
				if lit.err != nil {
					body = nil
					_ = c.Close() // see above: before msg.Next
				}
			}
		}
	}
	if body == nil {
		j.item = adapters.Item{Kind: adapters.KindMessage, Unreadable: fmt.Sprintf("UID %d: the server sent no body", j.uid)}
	}
	return j
}

// readErr remembers the first read error other than EOF, to tell a body
// that could not be parsed from one that could not be read.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// parseBody maps one message; one that cannot be read at all becomes an
// item with Unreadable "UID n: reason".
func parseBody(r io.Reader, uid imap.UID) adapters.Item {
	it, err := mailmsg.Parse(r)
	if err != nil {
		return adapters.Item{Kind: adapters.KindMessage, Unreadable: fmt.Sprintf("UID %d: %v", uid, err)}
	}
	return it
}

// folderErr classifies a failed folder command: a missing folder is
// NotFound, other NO/BAD answers Unknown, anything else (the connection)
// Temporary (a StallError when the server stopped answering). s.mu must
// be held.
func (s *Source) folderErr(name, command string, err error) error {
	var ie *imap.Error
	if errors.As(err, &ie) {
		if ie.Code == imap.ResponseCodeNonExistent || ie.Code == imap.ResponseCodeTryCreate {
			return adapters.Errorf(adapters.CodeNotFound, "imap: %s: folder %q does not exist (%s)", s.ep.display, name, ie.Text)
		}
		return adapters.Wrap(adapters.CodeUnknown, err, fmt.Sprintf("imap: %s: %s %q", s.ep.display, command, name))
	}
	return adapters.Wrap(adapters.CodeTemporary, stallOf(s.wire, err), fmt.Sprintf("imap: %s: %s %q", s.ep.display, command, name))
}
