package engine

import (
	"fmt"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// Area is one of the areas a user picks in the wizard.
type Area string

const (
	AreaEmails       Area = "emails"       // messages → MAILIN
	AreaTasks        Area = "tasks"        // tasks → TASK
	AreaAppointments Area = "appointments" // events → APPOINTMENT/MEETING, and CRM appointments → groupware
	AreaResync       Area = "resync"       // time changes of items imported before
)

// Areas lists the areas in wizard order. It is the one list of area
// names: config validates a user's `areas:` against it (AreaNames), so a
// new area is added here and nowhere else.
var Areas = []Area{AreaEmails, AreaTasks, AreaAppointments, AreaResync}

// AreaNames returns the names of Areas, in wizard order, read at call
// time.
func AreaNames() []string {
	out := make([]string, len(Areas))
	for i, a := range Areas {
		out[i] = string(a)
	}
	return out
}

// AreaOf returns the import area of an item kind.
func AreaOf(k adapters.Kind) Area {
	switch k {
	case adapters.KindMessage:
		return AreaEmails
	case adapters.KindTask:
		return AreaTasks
	}
	return AreaAppointments
}

// ParseAreas parses a comma-separated list ("emails,tasks"). Empty means all.
func ParseAreas(s string) ([]Area, error) {
	if strings.TrimSpace(s) == "" {
		return append([]Area(nil), Areas...), nil
	}
	var out []Area
	for _, p := range strings.Split(s, ",") {
		a := Area(strings.TrimSpace(p))
		if !a.Valid() {
			return nil, fmt.Errorf("unknown area %q (areas: %s)", p, strings.Join(AreaNames(), ", "))
		}
		out = append(out, a)
	}
	return out, nil
}

// Valid reports whether a is a known area.
func (a Area) Valid() bool {
	for _, v := range Areas {
		if v == a {
			return true
		}
	}
	return false
}

func areaRank(a Area) int {
	for i, v := range Areas {
		if v == a {
			return i
		}
	}
	return len(Areas)
}

func hasArea(list []Area, a Area) bool {
	for _, v := range list {
		if v == a {
			return true
		}
	}
	return false
}

// normalizeAddress lower-cases an e-mail address and strips "mailto:".
func normalizeAddress(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	return strings.TrimPrefix(s, "mailto:")
}
