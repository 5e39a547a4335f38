package engine

import (
	"fmt"
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

// ParsePolicy checks a policy name; "" is newest-wins.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case "":
		return NewestWins, nil
	case SourceWins, CRMWins, NewestWins, Manual:
		return p, nil
	}
	return "", fmt.Errorf("unknown conflict policy %q (source-wins, crm-wins, newest-wins, manual)", s)
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
