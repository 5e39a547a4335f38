package wire

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// Snapshots are the hot path of the protocol: a 100,000-item snapshot is
// ~60 MB. Decoding it with the generated code allocates about 17 objects
// per item (the message, each string, each timestamp), which then costs the
// host more in garbage collection than in decoding, on top of the engine's
// own work with the items. SnapshotCodec decodes SnapshotResponse straight
// into adapters.Item values whose short strings point into one arena per
// message and whose bodies are copies of their own, so a batch of 256
// items costs a few hundred allocations, not thousands, and what the
// engine keeps of an item does not pin its batch's bodies. The
// bytes on the wire are exactly gwsync.plugin.v1.SnapshotResponse; only
// the host's decoder differs, and its test checks it against the generated
// one field by field.

// SnapshotBatch is one decoded SnapshotResponse.
type SnapshotBatch struct {
	Items []adapters.Item
	End   *adapters.SnapshotEnd // nil unless this is the last message
}

// SnapshotCodec is the proto codec, except that it decodes into a
// *SnapshotBatch directly. Its name is "proto", so the content type on the
// wire does not change.
type SnapshotCodec struct{ proto encoding.CodecV2 }

func NewSnapshotCodec() SnapshotCodec {
	return SnapshotCodec{proto: encoding.GetCodecV2(grpcproto.Name)}
}

func (c SnapshotCodec) Name() string { return grpcproto.Name }

func (c SnapshotCodec) Marshal(v any) (mem.BufferSlice, error) { return c.proto.Marshal(v) }

func (c SnapshotCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if b, ok := v.(*SnapshotBatch); ok {
		return decodeSnapshotResponse(data.Materialize(), b)
	}
	return c.proto.Unmarshal(data, v)
}

// Field numbers of plugins/proto/gwsync/plugin/v1 (types.proto and
// source.proto). The decoder test fails if one of them drifts.
const (
	fSnapshotItems, fSnapshotEnd         = 1, 2
	fEndCount, fEndCursor, fEndComplete  = 1, 2, 3
	fRasterStart, fRasterEnd, fRasterDue = 1, 2, 3
	fRasterAllDay, fRasterTimeZone       = 4, 5
	fTimestampSeconds, fTimestampNanos   = 1, 2
)

// smallText is the longest string that shares its batch's arena. Longer
// ones (bodies, a big cursor) get an allocation of their own: the engine
// keeps an item's id, key and subject in its plan until the run ends, and
// when those pointed into one copy of the whole message, they held every
// body of their batch with them, about 7 KB a mail (issue 13: a first
// import of 25,000 mails peaked at 518 MiB out of process).
const smallText = 512

// wireDecoder hands out short strings from one arena per message and
// long ones as copies of their own.
type wireDecoder struct {
	// arena holds the short strings, appended; it never grows past the
	// capacity it was made with, so nothing handed out is ever moved or
	// written again.
	arena []byte
	att   pb.Attachment // reused by the generated Attachment decoder
}

// newWireDecoder makes a decoder for buf with an arena sized by
// smallBytes: a few allocations per batch, as before.
func newWireDecoder(buf []byte) *wireDecoder {
	return &wireDecoder{arena: make([]byte, 0, smallBytes(buf))}
}

// smallBytes is (at least) the room buf's short strings take: the short
// length-delimited fields of its messages, counted whole (a nested
// raster with its time zone counts as one short field). A string that
// finds no room gets its own copy, so an estimate too low costs an
// allocation, never a wrong result.
func smallBytes(buf []byte) int {
	n := 0
	eachField(buf, func(_ protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		if len(v) <= smallText {
			n += len(v)
			return nil
		}
		return eachField(v, func(_ protowire.Number, typ protowire.Type, w []byte, _ uint64) error {
			if typ == protowire.BytesType && len(w) <= smallText {
				n += len(w)
			}
			return nil
		})
	})
	return n
}

// text returns v as a string: from the arena when it is short and there
// is room, else as a copy of its own.
func (d *wireDecoder) text(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	if len(v) > smallText || cap(d.arena)-len(d.arena) < len(v) {
		return string(v)
	}
	start := len(d.arena)
	d.arena = append(d.arena, v...)
	// The arena's bytes from start on are never written again (see
	// arena), so they may back a string, as strings.Builder does.
	return unsafe.String(&d.arena[start], len(v))
}

var errMalformed = errors.New("malformed SnapshotResponse")

func decodeSnapshotResponse(buf []byte, out *SnapshotBatch) error {
	d := newWireDecoder(buf)
	*out = SnapshotBatch{}
	return eachField(buf, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == fSnapshotItems && typ == protowire.BytesType:
			if out.Items == nil {
				out.Items = make([]adapters.Item, 0, MaxBatchItems)
			}
			out.Items = append(out.Items, adapters.Item{})
			return d.item(v, &out.Items[len(out.Items)-1])
		case num == fSnapshotEnd && typ == protowire.BytesType:
			out.End = &adapters.SnapshotEnd{}
			return d.snapshotEnd(v, out.End)
		}
		return nil
	})
}

// eachField calls fn for every field of a message: v holds a length-
// delimited value, x a varint or fixed value. Unknown fields are skipped
// by the callers simply by not matching them.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errMalformed
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var x32 uint32
			x32, n = protowire.ConsumeFixed32(b)
			x = uint64(x32)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d", errMalformed, num)
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func (d *wireDecoder) snapshotEnd(b []byte, e *adapters.SnapshotEnd) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case fEndCount:
			e.Count = int64(x)
		case fEndCursor:
			e.Cursor = d.text(v)
		case fEndComplete:
			e.Complete = x != 0
		}
		return nil
	})
}

// item decodes an Item; the numbers are those of message Item.
func (d *wireDecoder) item(b []byte, it *adapters.Item) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case 1:
			it.ID = d.text(v)
		case 2:
			it.Key = d.text(v)
		case 3:
			it.Version = d.text(v)
		case 4:
			it.Kind = adapters.Kind(d.text(v))
		case 5:
			return d.raster(v, &it.Raster)
		case 6:
			it.Busy = adapters.BusyStatus(d.text(v))
		case 7:
			it.Subject = d.text(v)
		case 8:
			it.Body = d.text(v)
		case 9:
			it.Location = d.text(v)
		case 10:
			it.From = d.text(v)
		case 11:
			it.To = append(it.To, d.text(v))
		case 12:
			it.Cc = append(it.Cc, d.text(v))
		case 13:
			it.Attendees = append(it.Attendees, d.text(v))
		case 14:
			var a adapters.Attachment
			if err := d.attachment(v, &a); err != nil {
				return err
			}
			it.Attachments = append(it.Attachments, a)
		case 15:
			return d.timestamp(v, &it.Date)
		case 16:
			return d.timestamp(v, &it.Modified)
		case 17:
			it.Completed = x != 0
		case 18:
			it.Cancelled = x != 0
		case 19:
			it.Deleted = x != 0
		case 20:
			it.ExportedFrom = d.text(v)
		case 21:
			it.Warnings = append(it.Warnings, d.text(v))
		case 22:
			it.Unreadable = d.text(v)
		case 23:
			it.Private = x != 0
		}
		return nil
	})
}

func (d *wireDecoder) raster(b []byte, r *adapters.Raster) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case fRasterStart:
			return d.timestamp(v, &r.Start)
		case fRasterEnd:
			return d.timestamp(v, &r.End)
		case fRasterDue:
			return d.timestamp(v, &r.Due)
		case fRasterAllDay:
			r.AllDay = x != 0
		case fRasterTimeZone:
			r.TimeZone = d.text(v)
		}
		return nil
	})
}

// timestamp decodes a google.protobuf.Timestamp as TimeFromWire does: a
// present timestamp is an instant in UTC.
func (d *wireDecoder) timestamp(b []byte, t *time.Time) error {
	var secs int64
	var nanos int64
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch num {
		case fTimestampSeconds:
			secs = int64(x)
		case fTimestampNanos:
			nanos = int64(int32(x))
		}
		return nil
	})
	if err != nil {
		return err
	}
	*t = time.Unix(secs, nanos).UTC()
	return nil
}
