package wire

import (
	"time"

	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// The one encoder of message Item, and the plugin side of the snapshot hot
// path (see snapshot_decode.go): instead of building a generated Item (plus
// its Raster and Timestamps) per item and marshalling it, items are
// appended to the batch's wire bytes directly. The bytes are exactly a
// gwsync.plugin.v1.SnapshotResponse; the encoder test checks them with the
// generated code.

// EncodedSnapshot is a SnapshotResponse already in wire form; only
// ServerCodec can send it.
type EncodedSnapshot struct{ raw []byte }

// Bytes returns the encoded SnapshotResponse.
func (e *EncodedSnapshot) Bytes() []byte { return e.raw }

// ServerCodec is the proto codec, except that an *EncodedSnapshot is sent
// as is. Its name is "proto", so the content type does not change. The
// plugin process installs it on its gRPC server (ForceServerCodecV2).
type ServerCodec struct{ proto encoding.CodecV2 }

func NewServerCodec() ServerCodec { return ServerCodec{proto: encoding.GetCodecV2(grpcproto.Name)} }

func (c ServerCodec) Name() string { return grpcproto.Name }

func (c ServerCodec) Marshal(v any) (mem.BufferSlice, error) {
	if e, ok := v.(*EncodedSnapshot); ok {
		return mem.BufferSlice{mem.SliceBuffer(e.raw)}, nil
	}
	return c.proto.Marshal(v)
}

func (c ServerCodec) Unmarshal(data mem.BufferSlice, v any) error { return c.proto.Unmarshal(data, v) }

// SnapshotEncoder accumulates the items of one SnapshotResponse at a time.
// It is not safe for concurrent use; a listing emits from one goroutine.
type SnapshotEncoder struct {
	buf     []byte
	scratch []byte // one item, before its length prefix is known
	nested  nestedScratch
	n       int
	// last is the size of the batch Take took last: the next batch's
	// buffer starts at it, so a long listing does not regrow each one,
	// while a listing of a few items (or none: most no-change snapshots)
	// allocates only what it needs, not a batch's worth per call.
	last int
}

// NewSnapshotEncoder starts an empty batch.
func NewSnapshotEncoder() *SnapshotEncoder { return &SnapshotEncoder{} }

// Add appends one item (invalid UTF-8 repaired, see SafeItem) and reports
// whether the batch is full: MaxBatchItems items or MaxBatchBytes bytes
// (a single bigger item still travels, alone). Send Take(nil) then.
func (e *SnapshotEncoder) Add(it *adapters.Item) (full bool) {
	e.scratch = appendItemFields(e.scratch[:0], &e.nested, SafeItem(it))
	if e.buf == nil && e.last > 0 {
		e.buf = make([]byte, 0, e.last+len(e.scratch)+8)
	}
	e.buf = appendMessage(e.buf, fSnapshotItems, e.scratch)
	e.n++
	return e.n >= MaxBatchItems || len(e.buf) >= MaxBatchBytes
}

// nestedScratch is reused for the messages nested in an item.
type nestedScratch struct {
	inner []byte        // a nested message's bytes, before its length is known
	att   pb.Attachment // the generated Attachment its encoder fills
}

// appendItemFields appends the fields of message Item.
func appendItemFields(b []byte, nested *nestedScratch, it *adapters.Item) []byte {
	in := nested.inner
	b = appendString(b, 1, it.ID)
	b = appendString(b, 2, it.Key)
	b = appendString(b, 3, it.Version)
	b = appendString(b, 4, string(it.Kind))
	in = appendRaster(in[:0], it.Raster)
	b = appendMessage(b, 5, in)
	b = appendString(b, 6, string(it.Busy))
	b = appendString(b, 7, it.Subject)
	b = appendString(b, 8, it.Body)
	b = appendString(b, 9, it.Location)
	b = appendString(b, 10, it.From)
	b = appendStrings(b, 11, it.To)
	b = appendStrings(b, 12, it.Cc)
	b = appendStrings(b, 13, it.Attendees)
	for i := range it.Attachments {
		in = appendAttachment(in[:0], &it.Attachments[i], &nested.att)
		b = appendMessage(b, 14, in)
	}
	b = appendTimestamp(b, 15, it.Date)
	b = appendTimestamp(b, 16, it.Modified)
	b = appendBool(b, 17, it.Completed)
	b = appendBool(b, 18, it.Cancelled)
	b = appendBool(b, 19, it.Deleted)
	b = appendString(b, 20, it.ExportedFrom)
	b = appendStrings(b, 21, it.Warnings)
	b = appendString(b, 22, it.Unreadable)
	b = appendBool(b, 23, it.Private)
	nested.inner = in
	return b
}

// Take returns the batch's bytes, with the end marker when end is not
// nil, and starts a new batch. The bytes are not reused: gRPC may still
// hold them.
func (e *SnapshotEncoder) Take(end *adapters.SnapshotEnd) *EncodedSnapshot {
	if end != nil {
		inner := appendVarint(nil, fEndCount, uint64(end.Count))
		inner = appendString(inner, fEndCursor, end.Cursor)
		inner = appendBool(inner, fEndComplete, end.Complete)
		e.buf = protowire.AppendTag(e.buf, fSnapshotEnd, protowire.BytesType)
		e.buf = protowire.AppendBytes(e.buf, inner)
	}
	out := &EncodedSnapshot{raw: e.buf}
	e.last, e.buf, e.n = len(e.buf), nil, 0
	return out
}

// The helpers leave out zero values, as proto3 does.

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendStrings(b []byte, num protowire.Number, list []string) []byte {
	for _, s := range list {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendString(b, s)
	}
	return b
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	if !v {
		return b
	}
	return appendVarint(b, num, 1)
}

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

// appendTimestamp writes a google.protobuf.Timestamp; the zero time is
// left out (TimeToWire's nil).
func appendTimestamp(b []byte, num protowire.Number, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	var ts [24]byte
	inner := appendVarint(ts[:0], fTimestampSeconds, uint64(t.Unix()))
	inner = appendVarint(inner, fTimestampNanos, uint64(int64(t.Nanosecond())))
	return appendMessage(b, num, inner)
}

// appendRaster writes a Raster message body (always present, as
// RasterToWire always sets it).
func appendRaster(b []byte, r adapters.Raster) []byte {
	b = appendTimestamp(b, fRasterStart, r.Start)
	b = appendTimestamp(b, fRasterEnd, r.End)
	b = appendTimestamp(b, fRasterDue, r.Due)
	b = appendBool(b, fRasterAllDay, r.AllDay)
	return appendString(b, fRasterTimeZone, r.TimeZone)
}
