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
	return &pb.Attachment{Name: a.Name, Type: a.Type, Size: a.Size, Part: a.Part, Data: a.Data, Stored: a.Stored}
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
// and length) as the generated code writes it.
func appendAttachment(b []byte, a *adapters.Attachment) []byte {
	out, err := proto.MarshalOptions{}.MarshalAppend(b, attachmentToWire(a))
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
	var p pb.Attachment
	if err := proto.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%w: attachment: %v", errMalformed, err)
	}
	*a = attachmentFromWire(&p)
	return nil
}
