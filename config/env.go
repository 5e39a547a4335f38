package config

import (
	"fmt"
	"strings"
)

const envOpen = "${env:"

// expandEnv replaces every ${env:NAME} in s with the value lookup gives.
// "$${env:NAME}" stands for the literal text "${env:NAME}". Any other "$"
// is left alone, so passwords and regexps with dollars survive.
//
// Errors: an unset variable (lookup reports !ok; an empty but set variable
// is fine), an unterminated reference or an invalid name. On error the
// returned string is s unchanged.
func expandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, envOpen) {
		return s, nil
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, envOpen)
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		if i > 0 && rest[i-1] == '$' { // escaped: drop one "$", keep the text
			b.WriteString(rest[:i-1])
			b.WriteString(envOpen)
			rest = rest[i+len(envOpen):]
			continue
		}
		b.WriteString(rest[:i])
		rest = rest[i+len(envOpen):]
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return s, fmt.Errorf("unterminated %s...} reference", envOpen)
		}
		name := rest[:end]
		if !validEnvName(name) {
			return s, fmt.Errorf("%s%s} is not a valid variable name", envOpen, name)
		}
		val, ok := lookup(name)
		if !ok {
			return s, fmt.Errorf("%s%s}: environment variable %s is not set", envOpen, name, name)
		}
		b.WriteString(val)
		rest = rest[end+1:]
	}
}

// validEnvName accepts POSIX-style names: letters, digits, underscore, not
// starting with a digit.
func validEnvName(name string) bool {
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
