// Command seed fills an IMAP folder with realistic messages for the imap
// benchmark: mostly short plain-text mails, some HTML-only, some with a PDF
// or image attachment, non-ASCII subjects and senders from a few hundred
// addresses. The content is deterministic (seeded), so runs compare.
//
//	go run ./bench/imap/seed -addr 127.0.0.1:143 -user bob -password secret -folder "Import Folder" -n 10000
package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"mime"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func main() {
	addr := flag.String("addr", "", "host:port of the IMAP server (plaintext)")
	user := flag.String("user", "", "user name")
	pass := flag.String("password", "", "password")
	folder := flag.String("folder", "Import Folder", "folder to fill")
	n := flag.Int("n", 10000, "number of messages")
	conns := flag.Int("conns", 4, "parallel connections")
	keep := flag.Bool("keep", false, "do nothing when the folder holds exactly the n messages this seed writes")
	flag.Parse()
	if *keep && count(*addr, *user, *pass, *folder) == *n && current(*addr, *user, *pass, *folder, *n) {
		fmt.Fprintf(os.Stderr, "seed: %q holds %d messages already\n", *folder, *n)
		return
	}
	if err := run(*addr, *user, *pass, *folder, *n, *conns); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func login(addr, user, pass string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		return nil, err
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// count returns how many messages folder holds, -1 when unknown.
func count(addr, user, pass, folder string) int {
	c, err := login(addr, user, pass)
	if err != nil {
		return -1
	}
	defer func() { c.Logout().Wait() }()
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || st.NumMessages == nil {
		return -1
	}
	return int(*st.NumMessages)
}

// current reports whether the first and the last message of folder are
// byte for byte what message() writes now. The count alone is not enough:
// a folder seeded by an older version of this program (whose senders came
// out garbled) has the same count and would be benchmarked again.
func current(addr, user, pass, folder string, n int) bool {
	c, err := login(addr, user, pass)
	if err != nil {
		return false
	}
	defer func() { c.Logout().Wait() }()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return false
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1, uint32(n)), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != 2 {
		return false
	}
	for _, m := range msgs {
		var body []byte
		for _, b := range m.BodySection {
			body = b.Bytes
		}
		var i int
		if _, err := fmt.Sscanf(string(body), "Message-ID: <bench-%d@", &i); err != nil || !bytes.Equal(body, message(i)) {
			fmt.Fprintf(os.Stderr, "seed: %q holds messages of another seed version: reseeding\n", folder)
			return false
		}
	}
	return true
}

func run(addr, user, pass, folder string, n, conns int) error {
	c, err := login(addr, user, pass)
	if err != nil {
		return err
	}
	// Start from an empty folder: delete (ignoring "no such folder") and create.
	_ = c.Delete(folder).Wait()
	if err := c.Create(folder, nil).Wait(); err != nil {
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Code != imap.ResponseCodeAlreadyExists {
			return err
		}
	}
	c.Logout().Wait()

	var wg sync.WaitGroup
	errs := make(chan error, conns)
	var total int64
	var mu sync.Mutex
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c, err := login(addr, user, pass)
			if err != nil {
				errs <- err
				return
			}
			defer func() { c.Logout().Wait() }()
			for i := w; i < n; i += conns {
				m := message(i)
				cmd := c.Append(folder, int64(len(m)), nil)
				if _, err := cmd.Write(m); err != nil {
					errs <- err
					return
				}
				if err := cmd.Close(); err != nil {
					errs <- err
					return
				}
				if _, err := cmd.Wait(); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				total += int64(len(m))
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "seed: %d messages, %.1f MiB in %q\n", n, float64(total)/(1<<20), folder)
	return nil
}

var (
	firstNames = []string{"Anna", "Jürgen", "Zoë", "Marta", "Ólafur", "Chen", "Fatma", "Luis", "Søren", "Élodie", "Hans", "Priya"}
	domains    = []string{"kunde.example.org", "lieferant.example.com", "mueller-gmbh.example", "partner.example.net", "example.co.uk"}
	subjects   = []string{"Angebot für %d Lizenzen", "Re: Rechnung Nr. %d", "Termin nächste Woche (%d)", "Fwd: Lieferung %d verspätet",
		"Straße und Hausnummer geändert %d", "Quote request #%d", "Réunion de suivi %d", "Grüße aus Köln – Projekt %d"}
	words = strings.Fields("wir bedanken uns für Ihre Anfrage und senden Ihnen anbei das gewünschte Angebot die Lieferung erfolgt " +
		"innerhalb von zwei Wochen nach Auftragseingang please find attached the documents we discussed in our last call " +
		"les prix indiqués sont hors taxes mit freundlichen Grüßen best regards")
)

// message returns the i-th message, deterministic in i.
func message(i int) []byte {
	r := rand.New(rand.NewSource(int64(i)))
	local := []string{"anna", "juergen", "zoe", "marta", "olafur", "chen", "fatma", "luis"}[r.Intn(8)]
	from := fmt.Sprintf("%s <%s%d@%s>", mime.QEncoding.Encode("utf-8", firstNames[r.Intn(len(firstNames))]), local, r.Intn(300), domains[r.Intn(len(domains))])
	subject := fmt.Sprintf(subjects[r.Intn(len(subjects))], i)
	date := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 17 * time.Minute)
	var b bytes.Buffer
	fmt.Fprintf(&b, "Message-ID: <bench-%d@gwsync.example>\r\nDate: %s\r\nFrom: %s\r\nTo: bob@example.com\r\n", i, date.Format(time.RFC1123Z), from)
	if r.Intn(3) == 0 {
		fmt.Fprintf(&b, "Cc: einkauf@%s, vertrieb@%s\r\n", domains[r.Intn(len(domains))], domains[r.Intn(len(domains))])
	}
	fmt.Fprintf(&b, "Subject: %s\r\nMIME-Version: 1.0\r\n", mime.QEncoding.Encode("utf-8", subject))
	text := paragraphs(r, 2+r.Intn(12))
	switch k := r.Intn(100); {
	case k < 10: // HTML only
		b.WriteString("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<html><body>")
		for _, p := range strings.Split(text, "\n\n") {
			b.WriteString("<p>" + p + "</p>\r\n")
		}
		b.WriteString("</body></html>\r\n")
	case k < 20: // with an attachment
		b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(text + "\r\n--b1\r\n")
		size := 10_000 + r.Intn(90_000)
		name, typ := fmt.Sprintf("Angebot-%d.pdf", i), "application/pdf"
		if r.Intn(2) == 0 {
			name, typ = fmt.Sprintf("Foto %d.jpg", i), "image/jpeg"
		}
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", typ, name, name)
		raw := make([]byte, size)
		r.Read(raw)
		enc := base64.StdEncoding.EncodeToString(raw)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n--b1--\r\n")
	default:
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text + "\r\n")
	}
	return b.Bytes()
}

func paragraphs(r *rand.Rand, n int) string {
	var ps []string
	for p := 0; p < n; p++ {
		var ws []string
		for w := 0; w < 20+r.Intn(60); w++ {
			ws = append(ws, words[r.Intn(len(words))])
		}
		ps = append(ps, strings.Join(ws, " ")+".")
	}
	return strings.ReplaceAll(strings.Join(ps, "\n\n"), "\n", "\r\n")
}
