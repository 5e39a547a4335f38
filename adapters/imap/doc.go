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
// HIGHESTMODSEQ where the server has CONDSTORE. Every snapshot EXAMINEs
// each folder (with CONDSTORE: one answer carries all three, plus UIDNEXT
// and the count) and fetches only UIDs above the cursor, in one UID FETCH
// of the range when there can be at most a batch of them; a changed UIDVALIDITY (a
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
// after_import (flag or move; messages are never deleted) may touch a
// message only once it is in the CRM, and it happens right after the run
// that imported it: the source is an adapters.Committer, and the engine
// calls Committed with the cursor it has just stored, after the run's CRM
// writes succeeded. Committed applies after_import to each folder's UIDs
// Done+1 .. UID of that cursor (Done: how far after_import went).
//
// The engine stores the cursor before calling Committed, so the stored
// cursor still has the old Done. Two things keep that correct:
//
//   - The start of every incremental snapshot still applies after_import to
//     Done+1 .. UID of the cursor it is given, as the only path did before
//     Committed existed. That is the fallback for a Committed that never
//     came or failed (a crash between storing the cursor and the call, a
//     dropped connection, an older host): nothing is ever missed, and
//     nothing is touched before its cursor was stored.
//   - The Source remembers in memory how far Committed (or the fallback)
//     went per folder and UIDVALIDITY; its next snapshot starts Done
//     there and writes it into the next cursor, and its next Committed
//     starts after it. A rerun in the same process therefore costs a
//     EXAMINE only. A new process (each CLI run starts its plugins anew)
//     does not know it and redoes the previous run's range once.
//
// Redoing is harmless by construction (afterImport): setting a keyword
// again changes nothing; move first searches which of the UIDs are still
// in the folder (already moved ones are gone, and new messages always get
// higher UIDs than any cursor covers) and moves only those, so a redo
// sends no MOVE at all; on a server without MOVE, where COPY leaves the
// message behind with the keyword, only messages without the keyword are
// copied. A folder recreated since the cursor (another UIDVALIDITY) is
// left alone, since its UIDs now name other messages. A Committed error
// is reported by the engine as a failed outcome of the run, never a failed
// run; the fallback catches up next time.
package imap
