//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A normal stop of `gwsync serve` — SIGTERM or SIGINT to its whole process
// group, as systemd and Ctrl-C send it, plugins included — logs no ERROR.
func TestServeShutdownLogsNoError(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			s := newSite(t, "")
			if err := os.WriteFile(s.config, []byte(mustRead(t, s.config)+"serve: {address: \"127.0.0.1:0\"}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(gwsyncBin, "serve", "--config", s.config, "--log-level", "info")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var log bytes.Buffer
			lines := bufio.NewReader(io.TeeReader(stderr, &log))
			ready := make(chan struct{})
			go func() {
				for {
					l, err := lines.ReadString('\n')
					if strings.Contains(l, "listening on") {
						close(ready)
						io.Copy(io.Discard, lines)
						return
					}
					if err != nil {
						return
					}
				}
			}()
			select {
			case <-ready:
			case <-time.After(time.Minute):
				t.Fatalf("serve did not start:\n%s", log.String())
			}
			if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if err != nil {
				t.Errorf("serve exited with %v", err)
			}
			if strings.Contains(log.String(), "[ERROR]") {
				t.Errorf("shutdown logged an ERROR:\n%s", log.String())
			}
			if !strings.Contains(log.String(), "shutting down") {
				t.Errorf("no shutdown seen:\n%s", log.String())
			}
		})
	}
}
