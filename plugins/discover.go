package plugins

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// ExternalPrefix starts the file name of every external plugin:
// gwsync-plugin-NAME in the configured plugin directory.
const ExternalPrefix = "gwsync-plugin-"

// ExternalCommand returns the command of the external plugin NAME in
// pluginDir (gwsync-plugin-NAME, with .exe on Windows). Errors:
// InvalidConfig when the name could escape the directory or the file is
// missing, not a regular file, or not executable.
func ExternalCommand(pluginDir, name string) (*exec.Cmd, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "invalid plugin name %q", name)
	}
	file := ExternalPrefix + name
	if runtime.GOOS == "windows" {
		file += ".exe"
	}
	path := filepath.Join(pluginDir, file)
	st, err := os.Stat(path)
	if err != nil {
		return nil, adapters.Wrap(adapters.CodeInvalidConfig, err, fmt.Sprintf("plugin %q", name))
	}
	if !st.Mode().IsRegular() {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "plugin %q: %s is not a regular file", name, path)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o111 == 0 {
		return nil, adapters.Errorf(adapters.CodeInvalidConfig, "plugin %q: %s is not executable", name, path)
	}
	return exec.Command(path), nil
}
