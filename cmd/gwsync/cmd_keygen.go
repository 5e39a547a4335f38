package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gwsync/gwsync/internal/secretbox"
)

// runKeygen writes a new master key for serve.secret_key_file (mode
// 0600). It never overwrites a file: a new key logs every browser out and
// makes the typed passwords sealed with the old one unreadable.
func runKeygen(ctx context.Context, args []string) error {
	fs, _ := newFlagSet("keygen", "keygen --out FILE")
	out := fs.String("out", "", "write the new key to `file` (must not exist); set serve.secret_key_file to it on every replica")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"keygen: --out FILE is required (see 'gwsync keygen -h')"}
	}
	if err := secretbox.GenerateKeyFile(*out); err != nil {
		return fmt.Errorf("keygen: %w", err)
	}
	fmt.Fprintf(os.Stderr, "gwsync keygen: wrote %s (mode 0600); copy it to every serve replica and set serve.secret_key_file\n", *out)
	return nil
}
