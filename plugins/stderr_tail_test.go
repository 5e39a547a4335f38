package plugins

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestStderrTailKeepsLastLinesInOrder(t *testing.T) {
	tail := newStderrTail(3)
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(tail, "line %d", i) // go-plugin writes the line,
		tail.Write([]byte{'\n'})        // then its newline
	}
	tail.Write([]byte("unfinished"))
	want := []string{"line 3", "line 4", "line 5", "unfinished"}
	if got := tail.Lines(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestStderrTailKeepsThePanicMessageOverItsStack(t *testing.T) {
	tail := newStderrTail(5)
	tail.Write([]byte("before\npanic: boom in parser\n\ngoroutine 7 [running]:\n"))
	for i := 0; i < 50; i++ {
		fmt.Fprintf(tail, "main.frame%d()\n\t/src/x.go:%d\n", i, i)
	}
	got := strings.Join(tail.Lines(), "|")
	if !strings.Contains(got, "panic: boom in parser") || strings.Contains(got, "frame40") {
		t.Fatalf("tail %q lost the panic or kept the deep stack", got)
	}
}

func TestStderrTailRendersHclogJSON(t *testing.T) {
	tail := newStderrTail(3)
	tail.Write([]byte(`{"@level":"error","@message":"reading feed","@timestamp":"2026-01-01T00:00:00Z","error":"EOF"}` + "\n"))
	if got := tail.Lines(); len(got) != 1 || got[0] != "[ERROR] reading feed: EOF" {
		t.Fatalf("got %q", got)
	}
}

func TestStderrTailBoundsLineLength(t *testing.T) {
	tail := newStderrTail(2)
	tail.Write([]byte(strings.Repeat("x", 10*tailLineBytes) + "\n"))
	if got := tail.Lines(); len(got) != 1 || len(got[0]) != tailLineBytes {
		t.Fatalf("kept %d bytes, want %d", len(got[0]), tailLineBytes)
	}
}
