package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"
)

// runPasswd prints the bcrypt hash of a password for a user's
// password_hash. On a terminal it asks twice without echo; otherwise it
// reads one line from stdin (for scripts). The password itself is never
// printed or logged.
func runPasswd(ctx context.Context, args []string) error {
	fs, _ := newFlagSet("passwd", "passwd [--cost N] < password")
	cost := fs.Int("cost", bcrypt.DefaultCost, "bcrypt cost (4-31); each step doubles the work")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cost < bcrypt.MinCost || *cost > bcrypt.MaxCost {
		return usageError{fmt.Sprintf("passwd: --cost must be between %d and %d", bcrypt.MinCost, bcrypt.MaxCost)}
	}
	pw, err := readPassword()
	if err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), *cost)
	if err != nil {
		return fmt.Errorf("passwd: %w", err)
	}
	fmt.Println(string(hash))
	return nil
}

func readPassword() (string, error) {
	if !isTerminal(os.Stdin) {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("passwd: reading stdin: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", usageError{"passwd: empty password on stdin"}
		}
		return pw, nil
	}
	ask := func(prompt string) (string, error) {
		fmt.Fprint(os.Stderr, prompt)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	pw, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", usageError{"passwd: empty password"}
	}
	again, err := ask("Again: ")
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", usageError{"passwd: the passwords differ"}
	}
	return pw, nil
}
