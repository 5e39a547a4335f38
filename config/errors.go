package config

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a configuration file. Line is 1-based; 0 means
// the problem has no line (it is then left out of the message). Path is
// the key path (users[0].sources[1].plugin), "" for the file as a whole.
type Error struct {
	File string
	Line int
	Path string
	Msg  string
}

// Error formats as "FILE:LINE: PATH: MSG", the form editors jump to.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file, sorted by line. Parse and
// Load return it (as error) whenever the file is not usable; it is never
// empty.
type Errors struct {
	List []*Error
}

// Error prints one problem per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, err := range e.List {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find the individual *Error values.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.List))
	for i, err := range e.List {
		out[i] = err
	}
	return out
}

// errorList collects problems while a file is decoded.
type errorList struct {
	file string
	list []*Error
}

func (l *errorList) add(line int, path, format string, args ...any) {
	l.list = append(l.list, &Error{File: l.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// err returns the collected problems sorted by line (stable, so problems
// on one line keep the order they were found in), or nil.
func (l *errorList) err() error {
	if len(l.list) == 0 {
		return nil
	}
	// An anchor merged or aliased in several places can report the same
	// problem more than once; say it once.
	var sorted []*Error
	seen := map[Error]bool{}
	for _, e := range l.list {
		if !seen[*e] {
			seen[*e] = true
			sorted = append(sorted, e)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Line < sorted[j].Line })
	return &Errors{List: sorted}
}
