package crmsql

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"slices"
	"strings"

	"github.com/gwsync/gwsync/adapters"
)

// parseContact reads an address as sources give it: "a@b.example" or
// "Name <a@b.example>". ok is false for text that is no address at all,
// which is then left unlinked rather than stored as a junk contact.
func parseContact(addr string) (email, name string, ok bool) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", "", false
	}
	if a, err := mail.ParseAddress(addr); err == nil {
		return a.Address, a.Name, true
	}
	if strings.Count(addr, "@") == 1 && !strings.ContainsAny(addr, " <>\t") {
		return addr, "", true // ParseAddress rejects some real-world local parts
	}
	return "", "", false
}

// parsedContact is parseContact's answer, kept per batch.
type parsedContact struct {
	email, name string
	ok          bool
}

// parseContact is parseContact through the batch's cache: a batch names
// the same addresses over and over, and net/mail's parser was a tenth of
// an import's CRM time.
func (b *batchTx) parseContact(addr string) (email, name string, ok bool) {
	if p, seen := b.parsed[addr]; seen {
		return p.email, p.name, p.ok
	}
	email, name, ok = parseContact(addr)
	b.parsed[addr] = parsedContact{email, name, ok}
	return email, name, ok
}

// linkContacts links an activity to the contacts with the given addresses
// (see resolveContacts). Links that exist already are kept. linked are the
// contacts' stored addresses in link order, each once.
func (s *Store) linkContacts(ctx context.Context, b *batchTx, activityID int64, addrs []string, create bool) (linked []string, err error) {
	linked, ids, err := s.resolveContacts(ctx, b, activityID, addrs, create)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if err := b.exec(ctx, `INSERT INTO activity_contacts (activity_id, contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, activityID, id); err != nil {
			return nil, err
		}
	}
	return linked, nil
}

// resolveContacts finds the contacts with the given addresses, matching
// e-mails case-insensitively. An unknown address gets a new contact only
// when create is set; otherwise, and for text that is no address, it is
// skipped with a log line (not an error: the activity is still worth
// importing; activity, its id or key, names it in the log). It returns
// the stored addresses and ids in order, each contact once. Lookups are cached for the transaction: an import batch
// names the same few people over and over.
func (s *Store) resolveContacts(ctx context.Context, b *batchTx, activity any, addrs []string, create bool) (emails []string, ids []int64, err error) {
	for _, addr := range addrs {
		email, name, ok := b.parseContact(addr)
		if !ok {
			s.logger.Warn("crmsql: not an e-mail address, contact not linked", "activity", activity, "address", addr)
			continue
		}
		c, err := b.contact(ctx, email)
		if err != nil {
			return nil, nil, err
		}
		if c.id == 0 && !create {
			s.logger.Debug("crmsql: no contact with this address, not linked", "activity", activity, "address", email)
			continue
		}
		if c.id == 0 {
			if c, err = b.createContact(ctx, name, email); err != nil {
				return nil, nil, err
			}
		}
		if !slices.Contains(ids, c.id) {
			ids = append(ids, c.id)
			emails = append(emails, c.email)
		}
	}
	return emails, ids, nil
}

// contactRef is a contact as a batch knows it; id 0 means none exists.
type contactRef struct {
	id    int64
	email string
}

// contact looks a contact up by address, through the batch's cache.
func (b *batchTx) contact(ctx context.Context, email string) (contactRef, error) {
	key := nocaseKey(email)
	if c, ok := b.contacts[key]; ok {
		return c, nil
	}
	var c contactRef
	err := b.queryRow(ctx, b.d.contactByEmail, email).Scan(&c.id, &c.email)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return contactRef{}, err
	}
	b.contacts[key] = c
	return c, nil
}

// contactsPerLookup is how many addresses one lookup statement asks for.
// A batch names hundreds of people; one statement per address was a
// fifth of an import's CRM time. The list is padded to this length, so
// the transaction prepares the statement once.
const contactsPerLookup = 64

// lookupContacts looks up, in statements of contactsPerLookup addresses
// (PostgreSQL: in one, dialect.contactsByFoldedEmails), the contacts of
// the addresses the requests idx name that the batch does not know yet, and remembers each answer (id 0 when there is none), so
// that the contact calls that follow are answered from the cache.
func (b *batchTx) lookupContacts(ctx context.Context, acts []adapters.Activity, idx []int) error {
	var want []string
	asked := map[string]bool{}
	for _, i := range idx {
		for _, addr := range acts[i].Contacts {
			email, _, ok := b.parseContact(addr)
			if !ok {
				continue
			}
			key := nocaseKey(email)
			if _, known := b.contacts[key]; known || asked[key] {
				continue
			}
			asked[key] = true
			want = append(want, email)
		}
	}
	found := func(sc scanner) error {
		var c contactRef
		if err := sc.Scan(&c.id, &c.email); err != nil {
			return err
		}
		b.contacts[nocaseKey(c.email)] = c
		return nil
	}
	if len(want) == 0 {
		return nil
	}
	if b.d.contactsByFoldedEmails != "" {
		keys := make([]string, len(want))
		for i, email := range want {
			keys[i] = nocaseKey(email)
			b.contacts[keys[i]] = contactRef{} // none, unless found below
		}
		return b.queryEach(ctx, b.d.contactsByFoldedEmails, []any{keys}, found)
	}
	query := b.d.contactsByEmails(contactsPerLookup)
	args := make([]any, contactsPerLookup)
	for len(want) > 0 {
		n := min(contactsPerLookup, len(want))
		for i := range args {
			args[i] = want[min(i, n-1)] // padded with the last address
		}
		for _, email := range want[:n] {
			b.contacts[nocaseKey(email)] = contactRef{} // none, unless found below
		}
		want = want[n:]
		if err := b.queryEach(ctx, query, args, found); err != nil {
			return err
		}
	}
	return nil
}

// createContactsInOrder creates, before anything else of the batch, the
// contacts the requests idx name that do not exist yet, in the order of
// their folded addresses: two writers creating overlapping sets of new
// contacts then take the index locks in one order and cannot deadlock
// (PostgreSQL). Later lookups of the batch find them in its cache.
func (s *Store) createContactsInOrder(ctx context.Context, b *batchTx, acts []adapters.Activity, idx []int) error {
	type want struct{ email, name string }
	wanted := map[string]want{}
	for _, i := range idx {
		for _, addr := range acts[i].Contacts {
			if email, name, ok := b.parseContact(addr); ok {
				if _, seen := wanted[nocaseKey(email)]; !seen {
					wanted[nocaseKey(email)] = want{email, name}
				}
			}
		}
	}
	keys := make([]string, 0, len(wanted))
	for k := range wanted {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, err := b.contact(ctx, wanted[k].email)
		if err != nil {
			return err
		}
		if c.id == 0 {
			if _, err := b.createContact(ctx, wanted[k].name, wanted[k].email); err != nil {
				return err
			}
		}
	}
	return nil
}

// createContact adds a contact, or finds the one another writer added
// with this address since the lookup (PostgreSQL writers run side by
// side; the unique index makes the second insert do nothing).
func (b *batchTx) createContact(ctx context.Context, name, email string) (contactRef, error) {
	c := contactRef{email: email}
	err := b.queryRow(ctx, `INSERT INTO contacts (name, email) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id`, name, email).Scan(&c.id)
	if errors.Is(err, sql.ErrNoRows) {
		err = b.queryRow(ctx, b.d.contactByEmail, email).Scan(&c.id, &c.email)
	}
	if err != nil {
		return contactRef{}, err
	}
	b.contacts[nocaseKey(email)] = c
	return c, nil
}

// nocaseKey folds ASCII letters only, as SQLite's NOCASE collation of the
// email column does (and PostgreSQL's contacts_email_nocase index).
func nocaseKey(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// addOwners adds owners to an activity; empty names and owners it has
// already are skipped.
func addOwners(ctx context.Context, b *batchTx, activityID int64, owners []string) error {
	for _, o := range ownerNames(owners) {
		if err := b.exec(ctx, `INSERT INTO activity_owners (activity_id, owner) VALUES (?, ?) ON CONFLICT DO NOTHING`, activityID, o); err != nil {
			return err
		}
	}
	return nil
}
