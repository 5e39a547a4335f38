package main

import (
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/gwsync/gwsync/adapters/credentials"
	"github.com/gwsync/gwsync/config"
	"github.com/gwsync/gwsync/engine"
)

// askPasswords asks on the terminal for the password of each of the user's
// sources that the config leaves without credentials (the rule is
// credentials.NeedsPassword, the same as the web client's "Enter your login
// data" page) and that a run for areas lists. The passwords live in memory for this run only. Off a
// terminal it asks nothing: such a source then fails with the adapter's
// own error, naming the server.
func askPasswords(u *config.User, areas []engine.Area) (map[string]string, error) {
	if !isTerminal(os.Stdin) {
		return nil, nil
	}
	var secrets map[string]string
	for _, s := range u.Sources {
		login, need := credentials.LoginOf(s.Name, s.Plugin, s.Options)
		if !need || !engine.AreasWant(areas, registeredKinds(s.Plugin)) {
			continue // a run for these areas never lists it
		}
		who := login.Username
		if login.URL != "" {
			who += " at " + login.URL
		}
		fmt.Fprintf(os.Stderr, "Enter your login data for %s (%s, %s).\nPassword: ", s.Name, s.Plugin, who)
		pw, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, fmt.Errorf("reading the password for %s: %w", s.Name, err)
		}
		if secrets == nil {
			secrets = map[string]string{}
		}
		secrets[s.Name] = string(pw)
	}
	return secrets, nil
}
