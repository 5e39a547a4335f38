// Command floor is the scale benchmark's yardstick: the least IMAP work a
// sync of N users can do, with nothing else around it. For every user
// (user00001 …, as bench/scale/seed wrote them), over C connections at
// once, it does
//
//	-mode fetch:  LOGIN + SELECT "Import Folder" + UID FETCH 1:* BODY.PEEK[] + LOGOUT
//	              (what a first sync must at least do)
//	-mode select: LOGIN + SELECT "Import Folder" + LOGOUT
//	              (what a no-change sync must at least do)
//
// and prints one line: "users=N seconds=S per_second=R messages=M bytes=B".
// Every message body is read to its end. A failure stops it with an error
// naming the user and the command (exit status 1): a floor that skipped
// users would flatter nobody but itself.
//
//	go run ./bench/scale/floor -addr 127.0.0.1:143 -users 10000 -conns 32 -mode fetch
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func main() {
	addr := flag.String("addr", "", "host:port of the IMAP server, plain text (required)")
	users := flag.Int("users", 10000, "number of users, named user00001 …")
	pass := flag.String("password", "secret", "every user's password")
	folder := flag.String("folder", "Import Folder", "the folder to select")
	conns := flag.Int("conns", 8, "users worked on at once (one connection each)")
	mode := flag.String("mode", "fetch", "fetch (LOGIN+SELECT+UID FETCH 1:* BODY.PEEK[]) or select (LOGIN+SELECT)")
	flag.Parse()
	if *addr == "" || *users < 1 || *conns < 1 || (*mode != "fetch" && *mode != "select") {
		fmt.Fprintln(os.Stderr, "floor: need -addr, -users ≥ 1, -conns ≥ 1 and -mode fetch|select")
		os.Exit(2)
	}
	f := Floor{Addr: *addr, Password: *pass, Folder: *folder, Fetch: *mode == "fetch"}
	start := time.Now()
	got, err := f.Run(context.Background(), *users, *conns)
	took := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Printf("users=%d seconds=%.3f per_second=%.1f messages=%d bytes=%d\n",
		*users, took.Seconds(), float64(*users)/took.Seconds(), got.Messages, got.Bytes)
}

// Floor is one pass over all users.
type Floor struct {
	Addr, Password, Folder string
	// Fetch: also fetch every message's whole body after SELECT.
	Fetch bool
}

// Totals are what a pass read.
type Totals struct{ Messages, Bytes int64 }

// Run works on users 1..n, conns at a time. The first failure cancels the
// rest and is returned, naming the user.
func (f Floor) Run(ctx context.Context, n, conns int) (Totals, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var messages, bytes atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > n {
					return
				}
				m, b, err := f.user(userName(i))
				if err != nil {
					cancel(fmt.Errorf("%s: %w", userName(i), err))
					return
				}
				messages.Add(m)
				bytes.Add(b)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return Totals{}, err
	}
	return Totals{messages.Load(), bytes.Load()}, nil
}

// user does one user's commands on a connection of its own.
func (f Floor) user(name string) (messages, bytes int64, err error) {
	c, err := imapclient.DialInsecure(f.Addr, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("connect %s: %w", f.Addr, err)
	}
	defer c.Close()
	if err := c.Login(name, f.Password).Wait(); err != nil {
		return 0, 0, fmt.Errorf("LOGIN: %w", err)
	}
	sel, err := c.Select(f.Folder, nil).Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("SELECT %q: %w", f.Folder, err)
	}
	if f.Fetch && sel.NumMessages > 0 {
		body := &imap.FetchItemBodySection{Peek: true}
		cmd := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{body}})
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			for {
				item := msg.Next()
				if item == nil {
					break
				}
				if data, ok := item.(imapclient.FetchItemDataBodySection); ok {
					k, err := io.Copy(io.Discard, data.Literal)
					if err != nil {
						cmd.Close()
						return 0, 0, fmt.Errorf("UID FETCH: reading a body: %w", err)
					}
					bytes += k
					messages++
				}
			}
		}
		if err := cmd.Close(); err != nil {
			return 0, 0, fmt.Errorf("UID FETCH 1:* BODY.PEEK[]: %w", err)
		}
		if messages != int64(sel.NumMessages) {
			return 0, 0, fmt.Errorf("UID FETCH 1:* returned %d bodies, SELECT said %d messages", messages, sel.NumMessages)
		}
	}
	if err := c.Logout().Wait(); err != nil {
		return 0, 0, fmt.Errorf("LOGOUT: %w", err)
	}
	return messages, bytes, nil
}

// userName is the login of user i, as bench/scale/seed and dovecot.sh's
// many-users mode name them.
func userName(i int) string { return fmt.Sprintf("user%05d", i) }
