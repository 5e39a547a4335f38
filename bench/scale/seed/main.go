// Command seed writes the mailboxes of the scale benchmark straight into
// Dovecot's maildirs: for each of N users (user00001 …, the names of
// scripts/servers/dovecot.sh's many-users mode) a folder "Import Folder"
// holding 3 to 5 short messages. Writing files is seconds where APPENDing
// 40,000 messages over IMAP would be minutes; Dovecot indexes them on the
// first SELECT (the benchmark does one untimed warm-up pass for that).
//
//	go run ./bench/scale/seed -mail-dir DIR -users 10000 -owner 65534:65534
//
// A user whose folder already holds the messages this program writes is
// left alone, so a second run on the same server takes no time; any other
// user's mail directory is rewritten from scratch. The last line on stdout
// is "users=N messages=M", what the benchmark expects to be imported.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Folder is the mailbox every user's messages are written to, as gwsync's
// imap source reads it by default.
const Folder = "Import Folder"

func main() {
	mailDir := flag.String("mail-dir", "", "Dovecot's mail directory: user U's maildir is DIR/U/Maildir (required)")
	users := flag.Int("users", 10000, "number of users, named user00001 …")
	owner := flag.String("owner", "", "uid:gid the files must belong to (Dovecot's mail user); empty: the caller")
	flag.Parse()
	if *mailDir == "" || *users < 1 {
		fmt.Fprintln(os.Stderr, "seed: -mail-dir and -users ≥ 1 are required")
		os.Exit(2)
	}
	uid, gid, err := parseOwner(*owner)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(2)
	}
	w := writer{uid: uid, gid: gid}
	start := time.Now()
	total, written := 0, 0
	for i := 1; i <= *users; i++ {
		n, fresh, err := w.user(*mailDir, i)
		if err != nil {
			fmt.Fprintf(os.Stderr, "seed: %s: %v\n", UserName(i), err)
			os.Exit(1)
		}
		total += n
		if fresh {
			written++
		}
	}
	fmt.Fprintf(os.Stderr, "seed: %d users (%d written, %d kept) in %.1f s\n", *users, written, *users-written, time.Since(start).Seconds())
	fmt.Printf("users=%d messages=%d\n", *users, total)
}

// UserName is the login of user i (1-based), as dovecot.sh's many-users
// mode writes it into the passwd-file.
func UserName(i int) string { return fmt.Sprintf("user%05d", i) }

// Messages is how many messages user i gets: 3, 4 or 5 in turn.
func Messages(i int) int { return 3 + i%3 }

// Message is message k (0-based) of user i: a short plain-text mail from
// one of 500 customers to the user, with a Message-ID unique to both.
func Message(i, k int) []byte {
	customer := (i*7 + k*13) % 500
	date := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i%720)*time.Hour + time.Duration(k)*time.Minute)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Customer %d <customer%d@example.com>\r\n", customer, customer)
	fmt.Fprintf(&b, "To: %s <%s@example.com>\r\n", UserName(i), UserName(i))
	fmt.Fprintf(&b, "Subject: Order %d-%d: delivery date\r\n", i, k)
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s.%d@scale.example.com>\r\n", UserName(i), k)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	fmt.Fprintf(&b, "Hello,\r\n\r\nthe order %d-%d leaves our warehouse on %s.\r\n", i, k, date.Add(72*time.Hour).Format("2 January 2006"))
	b.WriteString("Please confirm the delivery address.\r\n\r\nKind regards,\r\n")
	fmt.Fprintf(&b, "Customer %d\r\n", customer)
	return b.Bytes()
}

type writer struct{ uid, gid int }

// user makes sure user i's folder holds its messages. It reports how many
// that is and whether it wrote them now.
func (w writer) user(mailDir string, i int) (int, bool, error) {
	n := Messages(i)
	home := filepath.Join(mailDir, UserName(i))
	folder := filepath.Join(home, "Maildir", "."+Folder)
	if w.current(folder, i, n) {
		return n, false, nil
	}
	// Anything else (an older seed, Dovecot's indexes of other messages)
	// goes: the benchmark wants exactly these messages.
	if err := os.RemoveAll(home); err != nil {
		return 0, false, err
	}
	for _, d := range []string{home, filepath.Join(home, "Maildir"), folder} {
		if err := w.mkdir(d); err != nil {
			return 0, false, err
		}
	}
	for _, d := range []string{filepath.Join(home, "Maildir"), folder} {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := w.mkdir(filepath.Join(d, sub)); err != nil {
				return 0, false, err
			}
		}
	}
	// Maildir++ marks a folder (as opposed to the INBOX) with this file.
	if err := w.write(filepath.Join(folder, "maildirfolder"), nil); err != nil {
		return 0, false, err
	}
	for k := 0; k < n; k++ {
		if err := w.write(filepath.Join(folder, "cur", fileName(i, k)), Message(i, k)); err != nil {
			return 0, false, err
		}
	}
	return n, true, nil
}

// fileName is a maildir file name (unique, no flags: the message is unseen).
func fileName(i, k int) string {
	return fmt.Sprintf("%d.M%dP%d.scale:2,", 1764547200+i, k, i)
}

// current reports whether folder holds exactly user i's n messages as
// Message writes them now (Dovecot may have renamed them to add its size
// fields, so files are matched by their unique prefix).
func (w writer) current(folder string, i, n int) bool {
	entries, err := os.ReadDir(filepath.Join(folder, "cur"))
	if err != nil || len(entries) != n {
		return false
	}
	for _, e := range entries {
		name := e.Name()
		k := -1
		for j := 0; j < n; j++ {
			if strings.HasPrefix(name, strings.TrimSuffix(fileName(i, j), ":2,")) {
				k = j
			}
		}
		if k < 0 {
			return false
		}
		got, err := os.ReadFile(filepath.Join(folder, "cur", name))
		if err != nil || !bytes.Equal(got, Message(i, k)) {
			return false
		}
	}
	return true
}

func (w writer) mkdir(path string) error {
	if err := os.Mkdir(path, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return w.chown(path)
}

func (w writer) write(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return w.chown(path)
}

func (w writer) chown(path string) error {
	if w.uid < 0 {
		return nil
	}
	return os.Lchown(path, w.uid, w.gid)
}

// parseOwner reads "uid:gid"; empty means "leave files to the caller"
// (-1, -1).
func parseOwner(s string) (int, int, error) {
	if s == "" {
		return -1, -1, nil
	}
	u, g, ok := strings.Cut(s, ":")
	uid, err1 := strconv.Atoi(u)
	gid, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		return 0, 0, fmt.Errorf("-owner %q: want uid:gid, two numbers", s)
	}
	return uid, gid, nil
}
