package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/gwsync/gwsync/plugins"
)

// version and commit are stamped by the release build:
//
//	go build -ldflags "-X main.version=1.2.0 -X main.commit=$(git rev-parse HEAD)" ./cmd/gwsync
//
// Left empty, they come from the module and VCS data the Go toolchain
// records in every binary built from a checkout.
var (
	version string
	commit  string
)

// buildVersion says which gwsync this is.
type buildVersion struct {
	Version  string // "1.2.0", or "devel"
	Commit   string // VCS revision, "" when unknown
	Time     string // commit time (RFC 3339), "" when unknown
	Modified bool   // built from a work tree with uncommitted changes
	Go       string // "go1.26.8 linux/amd64"
}

func currentVersion() buildVersion {
	v := buildVersion{Version: version, Commit: commit,
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v.withDefaults()
	}
	if v.Version == "" && info.Main.Version != "(devel)" {
		v.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if v.Commit == "" {
				v.Commit = s.Value
			}
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v.withDefaults()
}

func (v buildVersion) withDefaults() buildVersion {
	if v.Version == "" {
		v.Version = "devel"
	}
	return v
}

// String is the text of `gwsync --version`.
func (v buildVersion) String() string {
	commit := v.Commit
	if commit == "" {
		commit = "unknown"
	}
	if v.Time != "" {
		commit += " (" + v.Time + ")"
	}
	if v.Modified {
		commit += ", modified"
	}
	return fmt.Sprintf("gwsync %s\ncommit:          %s\ngo:              %s\nplugin protocol: %d (gwsync.plugin.v1)\n",
		v.Version, commit, v.Go, plugins.ProtocolVersion)
}

// runVersion is `gwsync version` and `gwsync --version`.
func runVersion(_ context.Context, args []string) error {
	if len(args) > 0 {
		return usageError{"usage: gwsync version"}
	}
	fmt.Print(currentVersion())
	return nil
}
