package engine

import (
	"fmt"
	"strings"
	"time"
)

// Policy decides a conflict: both sides changed the times differently since
// they last agreed.
type Policy string

const (
	SourceWins Policy = "source-wins" // the groupware's times go to the CRM
	CRMWins    Policy = "crm-wins"    // the CRM's times go to the groupware
	NewestWins Policy = "newest-wins" // the side modified last wins; ties go to the groupware
	Manual     Policy = "manual"      // reported, not applied
)

// Policies lists the conflict policies in documentation order. It is the
// one list of policy names: config validates `conflict:` against it
// (PolicyNames), so a new policy is added here and nowhere else.
var Policies = []Policy{SourceWins, CRMWins, NewestWins, Manual}

// DefaultPolicy is the policy of a user whose config names none.
const DefaultPolicy = NewestWins

// PolicyNames returns the names of Policies, read at call time.
func PolicyNames() []string {
	out := make([]string, len(Policies))
	for i, p := range Policies {
		out[i] = string(p)
	}
	return out
}

// ParsePolicy checks a policy name; "" is DefaultPolicy.
func ParsePolicy(s string) (Policy, error) {
	if s == "" {
		return DefaultPolicy, nil
	}
	for _, p := range Policies {
		if Policy(s) == p {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown conflict policy %q (%s)", s, strings.Join(PolicyNames(), ", "))
}

// resolve returns the direction that wins, or "" for manual. When the
// groupware cannot be written, the CRM side cannot win.
func (p Policy) resolve(sourceModified, crmModified time.Time, sourceWritable bool) ActionKind {
	win := ActUpdateCRM
	switch p {
	case Manual:
		return ""
	case CRMWins:
		win = ActUpdateGroupware
	case NewestWins:
		if crmModified.After(sourceModified) {
			win = ActUpdateGroupware
		}
	}
	if win == ActUpdateGroupware && !sourceWritable {
		return ""
	}
	return win
}
