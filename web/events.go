package web

import (
	"fmt"
	"net/http"
)

// eventStream is the server-sent event stream of a progress page (a run,
// a planning, a queued job): "progress" events with the page's state as
// JSON, then one "done".
type eventStream struct {
	s       *Server
	w       http.ResponseWriter
	flusher http.Flusher
}

// openEventStream sets the stream's headers. When w cannot stream it
// answers 500 and returns false.
func (s *Server) openEventStream(w http.ResponseWriter) (*eventStream, bool) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return nil, false
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	return &eventStream{s: s, w: w, flusher: flusher}, true
}

// progress writes one "progress" event, with a new write deadline so a
// long run outlives the server's write timeout; false: the client is gone.
func (e *eventStream) progress(data []byte) bool {
	e.s.extendWriteDeadline(e.w)
	_, err := fmt.Fprintf(e.w, "event: progress\ndata: %s\n\n", data)
	return err == nil
}

// done ends the stream with the "done" event.
func (e *eventStream) done() {
	fmt.Fprint(e.w, "event: done\ndata: {}\n\n")
	e.flusher.Flush()
}

func (e *eventStream) flush() { e.flusher.Flush() }
