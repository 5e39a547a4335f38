package plugins

import (
	"fmt"
	"os"
	"runtime"
)

// socketDir is where a plugin child puts its Unix socket: a directory of
// its own, created with mode 0700, so that no other user can even reach
// the socket. That is what go-plugin's AutoMTLS protects against (another
// local user connecting to the plugin), at none of its cost: AutoMTLS
// makes two P-521 certificates and a TLS handshake per start, which was
// most of the 60 ms a plugin took to start (and the same user could read
// the keys from memory anyway). Windows plugins listen on TCP, where any
// local user can connect, so there AutoMTLS stays on and path is "".
type socketDir struct{ path string }

// maxSocketDir leaves room for go-plugin's "/plugin" + 10 digits within
// the 108 bytes a Unix socket path may have.
const maxSocketDir = 90

// newSocketDir creates the private directory on systems with Unix sockets,
// in TMPDIR, or in /tmp when TMPDIR is too deep for a socket path.
func newSocketDir() (socketDir, error) {
	if runtime.GOOS == "windows" {
		return socketDir{}, nil
	}
	parent := os.TempDir()
	if len(parent)+len("/gwsync-plugin-1234567890") > maxSocketDir {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "gwsync-plugin-") // 0700
	if err != nil {
		return socketDir{}, fmt.Errorf("cannot create a private directory for the plugin's socket: %w", err)
	}
	return socketDir{path: dir}, nil
}

// env tells the child (go-plugin's server) where to listen.
func (d socketDir) env() []string {
	if d.path == "" {
		return nil
	}
	return []string{"PLUGIN_UNIX_SOCKET_DIR=" + d.path}
}

// needsTLS is true where the socket cannot be kept private.
func (d socketDir) needsTLS() bool { return d.path == "" }

// remove deletes the directory once the child is gone (the child removes
// its socket when it exits cleanly; a killed one leaves it behind).
func (d socketDir) remove() {
	if d.path != "" {
		_ = os.RemoveAll(d.path)
	}
}
