//go:build unix

// Command rawfetch is bench/perf's floor of the IMAP import: one
// `UID FETCH 1:* BODY.PEEK[]` of a folder with go-imap, each body read
// into one reused buffer and dropped. Its client costs little CPU, so its
// time is about what the server needs to send the folder: no importer of
// the folder, mbsync included, can be faster on the same machine. It
// prints the bytes read, the FETCH's time and the process's CPU time.
//
//	go run ./bench/perf/rawfetch -addr 127.0.0.1:143 -user bob -password secret -folder "Perf 10000"
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func main() {
	addr := flag.String("addr", "", "host:port of the IMAP server (plaintext)")
	user := flag.String("user", "", "user name")
	pass := flag.String("password", "", "password")
	folder := flag.String("folder", "", "folder to fetch")
	flag.Parse()
	n, took, err := fetchAll(*addr, *user, *pass, *folder)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawfetch:", err)
		os.Exit(1)
	}
	fmt.Printf("%d bytes in %.3f s, client CPU %.3f s\n", n, took.Seconds(), cpu().Seconds())
}

func fetchAll(addr, user, pass, folder string) (int64, time.Duration, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	if err := c.Login(user, pass).Wait(); err != nil {
		return 0, 0, fmt.Errorf("%s: LOGIN: %w", addr, err)
	}
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return 0, 0, fmt.Errorf("%s: EXAMINE %q: %w", addr, folder, err)
	}
	start := time.Now()
	var all imap.UIDSet
	all.AddRange(1, 0) // 1:*
	cmd := c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	buf := make([]byte, 1<<20)
	var n int64
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			body, ok := item.(imapclient.FetchItemDataBodySection)
			if !ok || body.Literal == nil {
				continue
			}
			k, err := drain(body.Literal, buf)
			n += k
			if err != nil {
				return n, 0, fmt.Errorf("%s: UID FETCH %q: %w", addr, folder, err)
			}
		}
	}
	if err := cmd.Close(); err != nil {
		return n, 0, fmt.Errorf("%s: UID FETCH %q: %w", addr, folder, err)
	}
	took := time.Since(start)
	_ = c.Logout().Wait()
	return n, took, nil
}

// drain reads r to its end into buf, in reads as large as buf (io.Discard
// would read in 8 KiB pieces).
func drain(r io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// cpu is the user and system time of this process so far.
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
