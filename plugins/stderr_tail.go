package plugins

import (
	"encoding/json"
	"strings"
	"sync"
)

// stderrTail keeps the last lines a plugin wrote to its real stderr (its
// hclog JSON lines, and a Go panic with its stack), so that when the
// plugin dies mid-call the host's error can say why. go-plugin feeds it
// through ClientConfig.Stderr, a line and its newline in separate writes.
type stderrTail struct {
	mu      sync.Mutex
	max     int
	lines   []string // ring of at most max lines
	next    int      // where the next line goes once the ring is full
	partial strings.Builder
	// panicLines counts lines kept since a Go panic began; the rest of
	// the stack is dropped so the panic message stays in the ring.
	panicLines int
}

// tailLines and tailLineBytes bound what a crash report carries: enough
// for a panic message and the top of its stack, not the whole trace.
const (
	tailLines      = 20
	tailLineBytes  = 512
	tailPanicLines = 8
)

func newStderrTail(max int) *stderrTail { return &stderrTail{max: max} }

// Write never fails: losing a log line must not break the plugin's pipe.
func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for rest := string(p); rest != ""; {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			t.appendPartial(rest)
			break
		}
		t.appendPartial(rest[:i])
		t.push(t.partial.String())
		t.partial.Reset()
		rest = rest[i+1:]
	}
	return len(p), nil
}

func (t *stderrTail) appendPartial(s string) {
	if room := tailLineBytes - t.partial.Len(); room > 0 {
		if len(s) > room {
			s = s[:room]
		}
		t.partial.WriteString(s)
	}
}

func (t *stderrTail) push(line string) {
	line = strings.TrimRight(readableLogLine(line), " \t\r")
	if line == "" {
		return
	}
	switch {
	case t.panicLines > 0 && t.panicLines >= min(tailPanicLines, t.max):
		return
	case t.panicLines > 0:
		t.panicLines++
	case strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: "):
		t.panicLines = 1
	}
	if len(t.lines) < t.max {
		t.lines = append(t.lines, line)
		return
	}
	t.lines[t.next] = line
	t.next = (t.next + 1) % t.max
}

// Lines returns the kept lines, oldest first, including an unfinished
// last line.
func (t *stderrTail) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.lines)+1)
	out = append(out, t.lines[t.next:]...)
	out = append(out, t.lines[:t.next]...)
	if t.partial.Len() > 0 {
		out = append(out, t.partial.String())
	}
	return out
}

// readableLogLine renders an hclog JSON line as "[LEVEL] message" so that
// an error message stays readable; other lines pass unchanged.
func readableLogLine(line string) string {
	if !strings.HasPrefix(line, "{") {
		return line
	}
	var entry struct {
		Level   string `json:"@level"`
		Message string `json:"@message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal([]byte(line), &entry) != nil || entry.Message == "" {
		return line
	}
	s := "[" + strings.ToUpper(entry.Level) + "] " + entry.Message
	if entry.Error != "" {
		s += ": " + entry.Error
	}
	return s
}
