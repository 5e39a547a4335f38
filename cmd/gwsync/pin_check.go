package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/plugins"
)

// checkPin compares an external plugin's file with the sha256 its config
// entry pins, so that `gwsync config check` says what a run would only
// find when it starts the plugin (go-plugin's "checksums did not match").
// A launch without a file (a built-in) or without a pin passes.
func (o *opener) checkPin(p config.Plugin, l plugins.Launch) error {
	if l.Cmd == nil || p.SHA256 == "" {
		return nil
	}
	f, err := os.Open(l.Cmd.Path)
	if err != nil {
		return o.placed(p, "sha256", err.Error())
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return o.placed(p, "sha256", fmt.Sprintf("reading %s: %v", l.Cmd.Path, err))
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, p.SHA256) {
		return o.placed(p, "sha256", fmt.Sprintf("%s has sha256 %s, not the pinned %s: rebuilt or replaced? pin it again with sha256sum", l.Cmd.Path, got, p.SHA256))
	}
	return nil
}
