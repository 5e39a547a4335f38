package xchg

import "strings"

// Private reports whether an Exchange sensitivity (Graph "private",
// "confidential"; EWS "Private", "Confidential") marks an item its owner
// keeps to themselves. "normal" and "personal" do not: Outlook shows
// personal items to delegates like normal ones.
func Private(sensitivity string) bool {
	switch strings.ToLower(strings.TrimSpace(sensitivity)) {
	case "private", "confidential":
		return true
	}
	return false
}
