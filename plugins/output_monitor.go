package plugins

import (
	"strings"

	"github.com/hashicorp/go-hclog"
)

// outputMonitor receives what a plugin writes to os.Stdout or os.Stderr
// after the handshake (go-plugin's SyncStdout/SyncStderr). Plugins must log
// through their hclog logger instead, so anything arriving here is a stray
// print (a library writing to stdout); it is kept, as a warning, rather
// than dropped silently.
type outputMonitor struct {
	logger hclog.Logger
	stream string
}

func (m outputMonitor) Write(p []byte) (int, error) {
	if text := strings.TrimSpace(string(p)); text != "" {
		m.logger.Warn("plugin wrote to "+m.stream+" instead of its logger", "output", text)
	}
	return len(p), nil
}
