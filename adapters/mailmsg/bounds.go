package mailmsg

// The bounds of one parse. Whatever a message holds, Parse keeps at most
// this much of it and does work linear in its size; what goes over a bound
// is left out with a Warning (see Parse).
const (
	// MaxBodyBytes caps the text kept from a message: of the plain-text
	// body and of the HTML body each at most this many decoded bytes are
	// held, so a 50 MB mail costs no more memory than a short one. A
	// longer body is cut with a Warning, and the rest is not decoded.
	MaxBodyBytes = 1 << 20

	// maxHeaderBytes bounds the header fields kept of the message; fields
	// beyond it are dropped.
	maxHeaderBytes = 1 << 20
	// maxFieldBytes bounds one header field (with its folded lines): a
	// longer one is dropped, so no decoder (encoded words, addresses,
	// dates) ever sees more than this.
	maxFieldBytes = 64 << 10
	// maxHeaderFields bounds the number of fields kept of the message
	// header (spam with thousands of Received lines exists; a million
	// does not).
	maxHeaderFields = 2000
	// maxPartHeaderBytes bounds the header of one MIME part, with the
	// text before its boundary line.
	maxPartHeaderBytes = 64 << 10
	// maxDepth bounds multipart nesting, so a hostile message cannot
	// recurse without end.
	maxDepth = 16
	// maxParts bounds the MIME parts read: later ones are not listed.
	maxParts = 1000
	// maxWarnings bounds the warnings of one item; the last says how many
	// more there were.
	maxWarnings = 20
	// maxMessageIDBytes is the longest Message-ID used as a key (RFC 5322
	// lines end at 998 characters): a longer one gets a synthetic key.
	maxMessageIDBytes = 998
	// maxDateBytes is the longest Date value the lenient layouts try.
	maxDateBytes = 200
	// maxNameBytes is the longest attachment name (before decoding) kept.
	maxNameBytes = 1024
)
