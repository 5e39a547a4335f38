// Package imap is the IMAP groupware source: it reads the messages of one
// or more folders of an IMAP account (by default "Import Folder") and
// reports each as a KindMessage item, which the engine turns into a MAILIN
// activity.
//
// Messages are mapped by adapters/mailmsg, streamed straight off the
// socket (UID FETCH BODY.PEEK[] in batches), so a 50 MB message costs no
// more heap than the capped text the item keeps. Item.ID is
// "<folder>/<UIDVALIDITY>/<UID>"; Item.Key is mailmsg's key (normalised
// Message-ID, or a stable synthetic key), so the same mail in two folders
// or two mailboxes becomes one activity.
//
// # Incremental snapshots
//
// The cursor records, per folder, UIDVALIDITY, the highest UID seen and
// HIGHESTMODSEQ where the server has CONDSTORE. A resync asks STATUS first
// and fetches only UIDs above the cursor; a changed UIDVALIDITY (a
// recreated folder) voids the cursor with CodeCursorInvalid, and the
// engine's full rescan is deduplicated by Key.
//
// # Attachments
//
// Attachments are listed (name, type, decoded size). With
// store_attachments their content is handed out by ReadAttachment, one
// body section at a time (BODYSTRUCTURE first, then BODY.PEEK[section]
// streamed through a decoder), when the engine creates the activity: only
// attachments within attachment_max_bytes get a Part in the snapshot.
//
// # After import
//
// The engine has no hook after a commit, and it saves a cursor only after
// the run's CRM writes succeeded. So after_import (flag or move) is applied
// at the start of the next snapshot to the UIDs the previous cursor covers:
// those messages are known to be in the CRM. Messages are never deleted.
package imap
