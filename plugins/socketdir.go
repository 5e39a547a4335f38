package plugins

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
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

// socketDirPrefix starts every socket directory's name; the creating
// process's PID follows ("gwsync-plugin-PID-RANDOM"), so that a later
// process can tell the directories of a dead one (sweepSocketDirs).
const socketDirPrefix = "gwsync-plugin-"

// newSocketDir creates the private directory on systems with Unix sockets,
// in TMPDIR, or in /tmp when TMPDIR is too deep for a socket path. The
// first call of a process also removes what killed processes left there.
func newSocketDir() (socketDir, error) {
	if runtime.GOOS == "windows" {
		return socketDir{}, nil
	}
	parent := os.TempDir()
	if len(parent)+len("/"+socketDirPrefix+"4194304-1234567890") > maxSocketDir {
		parent = "/tmp"
	}
	sweepOnce.Do(func() { sweepSocketDirs(parent) })
	dir, err := os.MkdirTemp(parent, socketDirPrefix+strconv.Itoa(os.Getpid())+"-") // 0700
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

var sweepOnce sync.Once

// sweepSocketDirs removes the socket directories in parent that processes
// which no longer run created: a gwsync killed with SIGKILL (a crashed or
// OOM-killed worker) cannot remove its children's, and a daemon that
// restarts after crashes would fill TMPDIR with them. Only directories
// named with a PID, owned by this user, whose PID is gone are removed; a
// PID reused by another process keeps its directory until a later sweep.
// (Processes in other PID namespaces that share this TMPDIR would look
// dead: give such containers a TMPDIR of their own, as they have anyway.)
func sweepSocketDirs(parent string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, ok := socketDirPID(e.Name())
		if !ok || pid == self || !e.IsDir() || !ownedByMe(e) || processExists(pid) {
			continue
		}
		_ = os.RemoveAll(filepath.Join(parent, e.Name()))
	}
}

// socketDirPID reads the PID out of "gwsync-plugin-PID-RANDOM".
func socketDirPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, socketDirPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}
