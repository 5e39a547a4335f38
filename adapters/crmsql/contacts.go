package crmsql

import (
	"context"
	"database/sql"
	"errors"
	"net/mail"
	"slices"
	"strings"
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

// linkContacts links an activity to the contacts with the given addresses,
// matching e-mails case-insensitively. An unknown address gets a new
// contact only when create is set; otherwise, and for text that is no
// address, it is skipped with a log line (not an error: the activity is
// still worth importing). Links that exist already are kept. linked are the
// contacts' stored addresses in link order, each once.
func (s *Store) linkContacts(ctx context.Context, b *batchTx, activityID int64, addrs []string, create bool) (linked []string, err error) {
	seen := map[int64]bool{}
	for _, addr := range addrs {
		email, name, ok := parseContact(addr)
		if !ok {
			s.logger.Warn("crmsql: not an e-mail address, contact not linked", "activity", activityID, "address", addr)
			continue
		}
		var contactID int64
		stored := email
		err := b.queryRow(ctx, `SELECT id, email FROM contacts WHERE email = ?`, email).Scan(&contactID, &stored)
		switch {
		case errors.Is(err, sql.ErrNoRows) && !create:
			s.logger.Debug("crmsql: no contact with this address, not linked", "activity", activityID, "address", email)
			continue
		case errors.Is(err, sql.ErrNoRows):
			if err := b.queryRow(ctx, `INSERT INTO contacts (name, email) VALUES (?, ?) RETURNING id`, name, email).Scan(&contactID); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, err
		}
		if err := b.exec(ctx, `INSERT OR IGNORE INTO activity_contacts (activity_id, contact_id) VALUES (?, ?)`, activityID, contactID); err != nil {
			return nil, err
		}
		if !seen[contactID] {
			seen[contactID] = true
			linked = append(linked, stored)
		}
	}
	return linked, nil
}

// addOwners adds owners to an activity; empty names and owners it has
// already are skipped. added are the names passed, trimmed, each once.
func addOwners(ctx context.Context, b *batchTx, activityID int64, owners []string) (added []string, err error) {
	for _, o := range owners {
		if o = strings.TrimSpace(o); o == "" || slices.Contains(added, o) {
			continue
		}
		if err := b.exec(ctx, `INSERT OR IGNORE INTO activity_owners (activity_id, owner) VALUES (?, ?)`, activityID, o); err != nil {
			return nil, err
		}
		added = append(added, o)
	}
	return added, nil
}
