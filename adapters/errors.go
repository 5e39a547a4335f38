package adapters

import (
	"errors"
	"fmt"
)

// Code classifies an error so the engine can act on it. Codes survive the
// plugin wire (plugins maps them to gRPC status codes and back).
type Code int

const (
	CodeUnknown       Code = iota // anything else: the call failed
	CodeNotFound                  // the item or activity does not exist
	CodeConflict                  // IfVersion did not match: the other copy changed
	CodeUnauthorized              // credentials refused; do not retry
	CodeUnsupported               // the adapter lacks this capability
	CodeInvalidConfig             // the adapter's options are wrong
	CodeTemporary                 // worth retrying later (network, 5xx, throttling)
	CodeCursorInvalid             // the incremental cursor is no longer accepted
	CodeInvalidItem               // the item's content cannot be used
)

var codeNames = map[Code]string{
	CodeUnknown: "unknown", CodeNotFound: "not-found", CodeConflict: "conflict",
	CodeUnauthorized: "unauthorized", CodeUnsupported: "unsupported",
	CodeInvalidConfig: "invalid-config", CodeTemporary: "temporary",
	CodeCursorInvalid: "cursor-invalid", CodeInvalidItem: "invalid-item",
}

func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Error is an error with a Code. Use Errorf or Wrap to make one.
type Error struct {
	Code Code
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Msg == "" && e.Err != nil:
		return e.Err.Error()
	case e.Err != nil:
		return e.Msg + ": " + e.Err.Error()
	case e.Msg == "":
		return e.Code.String()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrNotFound) and friends match on the code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is. They carry only a code.
var (
	ErrNotFound      = &Error{Code: CodeNotFound}
	ErrConflict      = &Error{Code: CodeConflict}
	ErrUnauthorized  = &Error{Code: CodeUnauthorized}
	ErrUnsupported   = &Error{Code: CodeUnsupported}
	ErrInvalidConfig = &Error{Code: CodeInvalidConfig}
	ErrTemporary     = &Error{Code: CodeTemporary}
	ErrCursorInvalid = &Error{Code: CodeCursorInvalid}
	ErrInvalidItem   = &Error{Code: CodeInvalidItem}
)

// Errorf makes an error with a code and a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap gives err a code, keeping it for errors.Is/As. Wrap(code, nil) is nil.
func Wrap(code Code, err error, msg string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Msg: msg, Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or
// CodeUnknown.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeUnknown
}
