package conformance

import "testing"

// T is what a check needs of a test. *testing.T provides it (wrapped by
// testingT, because its Run takes a func(*testing.T)), and so does the
// report collector behind RunPlugin, which runs the same checks outside
// `go test` for `gwsync plugin test`. Fatal and Skip end the check's
// goroutine (runtime.Goexit) in both.
type T interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skip(args ...any)
	Cleanup(func())
	// Run runs f as the named sub-check and reports whether it passed.
	Run(name string, f func(t T)) bool
}

// testingT adapts *testing.T to T.
type testingT struct{ *testing.T }

func (t testingT) Run(name string, f func(T)) bool {
	return t.T.Run(name, func(t *testing.T) { f(testingT{t}) })
}

var _ T = testingT{}
