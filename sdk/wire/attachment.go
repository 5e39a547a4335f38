package wire

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// Message Attachment has one encoder and one decoder: the generated code,
// reached through attachmentToWire and attachmentFromWire. An Activity is
// a generated message throughout; a snapshot item, which the item coder
// writes by hand, nests the bytes the generated code writes for each of
// its attachments (appendAttachment) and reads them back with it
// (wireDecoder.attachment). Attachments are few per item, so a
// hand-written copy of this mapping would save little and be one more
// place for a new field to be forgotten.

func attachmentToWire(a *adapters.Attachment) *pb.Attachment {
	p := &pb.Attachment{}
	fillAttachment(p, a)
	return p
}

// fillAttachment sets every field of p from a.
func fillAttachment(p *pb.Attachment, a *adapters.Attachment) {
	p.Name, p.Type, p.Size, p.Part, p.Data, p.Stored = a.Name, a.Type, a.Size, a.Part, a.Data, a.Stored
}

func attachmentFromWire(p *pb.Attachment) adapters.Attachment {
	return adapters.Attachment{Name: p.GetName(), Type: p.GetType(), Size: p.GetSize(), Part: p.GetPart(), Data: p.GetData(), Stored: p.GetStored()}
}

func attachmentsToWire(list []adapters.Attachment) []*pb.Attachment {
	if len(list) == 0 {
		return nil
	}
	out := make([]*pb.Attachment, len(list))
	for i := range list {
		out[i] = attachmentToWire(&list[i])
	}
	return out
}

func attachmentsFromWire(list []*pb.Attachment) []adapters.Attachment {
	if len(list) == 0 {
		return nil
	}
	out := make([]adapters.Attachment, len(list))
	for i, p := range list {
		out[i] = attachmentFromWire(p)
	}
	return out
}

// appendAttachment appends the body of message Attachment (without tag
// and length) as the generated code writes it; msg is scratch space, so
// that a snapshot allocates no message per attachment.
func appendAttachment(b []byte, a *adapters.Attachment, msg *pb.Attachment) []byte {
	fillAttachment(msg, a)
	out, err := proto.MarshalOptions{}.MarshalAppend(b, msg)
	msg.Data = nil // the adapter's content is not kept alive by the scratch
	if err != nil {
		// The generated code refuses only invalid UTF-8, which SafeItem
		// repaired: failing here is a bug, not bad input.
		panic("wire: encoding an attachment: " + err.Error())
	}
	return out
}

// attachment decodes the body of message Attachment with the generated
// code. The strings are copies, not views of the batch: attachments are
// few, and their content (never in a snapshot, should a plugin send
// some) must not pin the batch.
func (d *wireDecoder) attachment(b []byte, a *adapters.Attachment) error {
	if err := proto.Unmarshal(b, &d.att); err != nil { // resets d.att first
		return fmt.Errorf("%w: attachment: %v", errMalformed, err)
	}
	*a = attachmentFromWire(&d.att)
	return nil
}
