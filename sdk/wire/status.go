package wire

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
)

// wireCodes maps every adapters.Code to its protocol enum value. A code
// missing here travels as ERROR_CODE_UNKNOWN; the status test checks that
// every code is present.
var wireCodes = map[adapters.Code]pb.ErrorCode{
	adapters.CodeUnknown:       pb.ErrorCode_ERROR_CODE_UNKNOWN,
	adapters.CodeNotFound:      pb.ErrorCode_ERROR_CODE_NOT_FOUND,
	adapters.CodeConflict:      pb.ErrorCode_ERROR_CODE_CONFLICT,
	adapters.CodeUnauthorized:  pb.ErrorCode_ERROR_CODE_UNAUTHORIZED,
	adapters.CodeUnsupported:   pb.ErrorCode_ERROR_CODE_UNSUPPORTED,
	adapters.CodeInvalidConfig: pb.ErrorCode_ERROR_CODE_INVALID_CONFIG,
	adapters.CodeTemporary:     pb.ErrorCode_ERROR_CODE_TEMPORARY,
	adapters.CodeCursorInvalid: pb.ErrorCode_ERROR_CODE_CURSOR_INVALID,
	adapters.CodeInvalidItem:   pb.ErrorCode_ERROR_CODE_INVALID_ITEM,
}

// grpcCodes maps every adapters.Code to the gRPC code of a failed call, so
// that generic gRPC tooling (and plugins in other languages) see a
// sensible code. The exact adapters.Code travels in a Status detail
// because the mapping is not one to one.
var grpcCodes = map[adapters.Code]codes.Code{
	adapters.CodeUnknown:       codes.Unknown,
	adapters.CodeNotFound:      codes.NotFound,
	adapters.CodeConflict:      codes.Aborted,
	adapters.CodeUnauthorized:  codes.Unauthenticated,
	adapters.CodeUnsupported:   codes.Unimplemented,
	adapters.CodeInvalidConfig: codes.InvalidArgument,
	adapters.CodeTemporary:     codes.Unavailable,
	adapters.CodeCursorInvalid: codes.FailedPrecondition,
	adapters.CodeInvalidItem:   codes.InvalidArgument,
}

// codesFromGRPC reads a gRPC status without a Status detail (a plugin
// written in another language, or a failure in gRPC itself).
var codesFromGRPC = map[codes.Code]adapters.Code{
	codes.NotFound:          adapters.CodeNotFound,
	codes.Aborted:           adapters.CodeConflict,
	codes.Unauthenticated:   adapters.CodeUnauthorized,
	codes.PermissionDenied:  adapters.CodeUnauthorized,
	codes.Unimplemented:     adapters.CodeUnsupported,
	codes.InvalidArgument:   adapters.CodeInvalidConfig,
	codes.Unavailable:       adapters.CodeTemporary,
	codes.ResourceExhausted: adapters.CodeTemporary,
}

func CodeToWire(c adapters.Code) pb.ErrorCode {
	if w, ok := wireCodes[c]; ok {
		return w
	}
	return pb.ErrorCode_ERROR_CODE_UNKNOWN
}

func CodeFromWire(w pb.ErrorCode) adapters.Code {
	for c, v := range wireCodes {
		if v == w {
			return c
		}
	}
	return adapters.CodeUnknown
}

// StatusToWire turns a per-item error into its wire form; nil stays nil
// (the item succeeded).
func StatusToWire(err error) *pb.Status {
	if err == nil {
		return nil
	}
	return &pb.Status{Code: CodeToWire(adapters.CodeOf(err)), Message: err.Error()}
}

// StatusFromWire turns a per-item wire status back into an error whose
// adapters.CodeOf is the adapter's code; nil stays nil.
func StatusFromWire(s *pb.Status) error {
	if s == nil {
		return nil
	}
	return &adapters.Error{Code: CodeFromWire(s.GetCode()), Msg: s.GetMessage()}
}

// CallErrorToWire is the plugin side of a failed call: a gRPC status whose
// code approximates the adapters.Code and whose detail carries it exactly.
// A cancelled or expired context keeps its own gRPC code, so the host can
// tell "you gave up" from "the adapter failed".
func CallErrorToWire(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && adapters.CodeOf(err) == adapters.CodeUnknown {
		return err // already a gRPC status (e.g. from a nested client)
	}
	code := adapters.CodeOf(err)
	gc := grpcCodes[code]
	if code == adapters.CodeUnknown {
		switch {
		case errors.Is(err, context.Canceled):
			gc = codes.Canceled
		case errors.Is(err, context.DeadlineExceeded):
			gc = codes.DeadlineExceeded
		}
	}
	st := status.New(gc, err.Error())
	if withDetail, derr := st.WithDetails(StatusToWire(err)); derr == nil {
		st = withDetail
	}
	return st.Err()
}

// CallErrorFromWire is the host side of a failed call. It returns an error
// whose adapters.CodeOf equals the code the adapter used. When the host's
// own ctx is done, it returns ctx.Err() so errors.Is(err, context.Canceled)
// holds as it would in process. Errors that are not gRPC statuses pass
// through unchanged.
func CallErrorFromWire(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	if detail := StatusDetail(st); detail != nil {
		return StatusFromWire(detail)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	switch st.Code() {
	case codes.Canceled:
		return &adapters.Error{Code: adapters.CodeUnknown, Msg: "plugin: " + st.Message(), Err: context.Canceled}
	case codes.DeadlineExceeded:
		return &adapters.Error{Code: adapters.CodeUnknown, Msg: "plugin: " + st.Message(), Err: context.DeadlineExceeded}
	}
	code, ok := codesFromGRPC[st.Code()]
	if !ok {
		code = adapters.CodeUnknown
	}
	return &adapters.Error{Code: code, Msg: "plugin: " + st.Message()}
}

// HasStatusDetail reports whether err is a gRPC status that an adapter
// produced (it carries our detail), as opposed to a transport failure.
func HasStatusDetail(err error) bool {
	st, ok := status.FromError(err)
	return ok && StatusDetail(st) != nil
}

func StatusDetail(st *status.Status) *pb.Status {
	for _, d := range st.Details() {
		if s, ok := d.(*pb.Status); ok {
			return s
		}
	}
	return nil
}
