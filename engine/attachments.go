package engine

import (
	"fmt"

	"github.com/gwsync/gwsync/adapters"
)

// Attachment content is fetched lazily, while the activities of a create
// batch are built, never held in a plan: a snapshot of a mailbox with 50 MB
// mails stays small, and the content of one Upsert is bounded.
const (
	// maxUpsertBytes cuts a create batch into several Upserts once the
	// content collected (attachments, bodies and the other text) reaches
	// it, so that memory and plugin messages (64 MiB at most, and the
	// answer repeats the text) stay bounded whatever the batch: 200 mails
	// with bodies at mailmsg's 1 MiB cap would not fit one message.
	maxUpsertBytes = 16 << 20
	// maxActivityAttachmentBytes bounds the content stored with one
	// activity (and so the largest attachment): an Upsert of one activity
	// then still fits a plugin message with room to spare.
	maxActivityAttachmentBytes = 32 << 20
)

// attachmentLimit is the safety bound passed to ReadAttachment: the size
// the source listed, with room for a count that differs a little from the
// decoded bytes (line ends a server rewrites), within the room left.
func attachmentLimit(size, room int64) int64 {
	return min(size+size/4+4096, room)
}

// withAttachmentContent returns the item's attachments with the content
// of those the source listed with a Part, read through its
// AttachmentReader, and the Part cleared (it means nothing to the CRM). A
// read that fails does not fail the item: the attachment is listed
// without content and a warning says which and why.
func (x *executor) withAttachmentContent(source string, it *adapters.Item) ([]adapters.Attachment, []string) {
	fetch := false
	for _, a := range it.Attachments {
		fetch = fetch || a.Part != ""
	}
	if !fetch {
		return it.Attachments, nil
	}
	out := make([]adapters.Attachment, len(it.Attachments))
	copy(out, it.Attachments)
	var warnings []string
	warn := func(a adapters.Attachment, format string, args ...any) {
		warnings = append(warnings, fmt.Sprintf("attachment %q not stored: ", a.Name)+fmt.Sprintf(format, args...))
	}
	reader, err := x.attachmentReader(source)
	room := int64(maxActivityAttachmentBytes)
	for i := range out {
		a := &out[i]
		part := a.Part
		a.Part = ""
		switch {
		case part == "":
			continue
		case err != nil:
			warn(*a, "%v", err)
			continue
		case a.Size > room:
			warn(*a, "the activity's attachments exceed %d bytes", maxActivityAttachmentBytes)
			continue
		}
		data, rerr := reader.ReadAttachment(x.ctx, it.ID, part, attachmentLimit(a.Size, room))
		if rerr != nil {
			warn(*a, "%v", rerr)
			x.job.logger().Warn("attachment not stored", "source", source, "item", it.ID, "attachment", a.Name, "error", rerr)
			continue
		}
		a.Data = data
		room -= int64(len(data))
	}
	return out, warnings
}

// attachmentReader is the source's AttachmentReader, if it declares one.
func (x *executor) attachmentReader(source string) (adapters.AttachmentReader, error) {
	ns, err := x.job.source(source)
	if err != nil {
		return nil, err
	}
	r, ok := ns.Source.(adapters.AttachmentReader)
	if !ok || !ns.info.Capabilities.ReadAttachments {
		return nil, adapters.Errorf(adapters.CodeUnsupported, "source %s cannot read attachments", source)
	}
	return r, nil
}

// upsertBytes is about what an activity weighs in an Upsert: its text
// and its attachments' content.
func upsertBytes(a *adapters.Activity) int64 {
	n := int64(len(a.Subject) + len(a.Body) + len(a.Location) + 256)
	for _, f := range a.Attachments {
		n += int64(len(f.Data) + len(f.Name) + len(f.Type))
	}
	return n
}
