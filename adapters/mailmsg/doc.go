// Package mailmsg maps an RFC 5322 e-mail to a gwsync item. It is shared by
// every adapter that reads messages: the files source (maildir, .eml), IMAP
// and Exchange. Which part is the body follows Python's email package
// (get_body), checked by TestDifferentialAgainstPythonEmail.
//
// Reading is forgiving and bounded: whatever can be read is imported and
// what could not is named in a Warning; only a message with nothing usable
// (no bytes, no header) is an error. Bodies are read as a stream, at most
// MaxBodyBytes of text are kept, and attachments are counted, never held:
// each is listed with its IMAP body section (Attachment.Part), which a
// source that serves content fetches later and decodes with DecodePart.
package mailmsg
