// Package ewsfake is an in-process fake of the Exchange Web Services
// operations the exchange adapter uses, built from the request and response
// examples of the EWS reference: FindFolder, SyncFolderItems (sync states,
// IncludesLastItemInRange), GetItem, UpdateItem (ChangeKey check →
// ErrorIrresolvableConflict), CreateItem (SendMeetingInvitations) and
// FindItem with an extended-property restriction.
//
// It parses every SOAP request and checks the envelope (version header,
// impersonation), Basic authentication or, after RequireNTLM, the NTLM
// handshake per connection (NEGOTIATE → 401 with a CHALLENGE →
// AUTHENTICATE with an NTLMv2 response checked against the password; Basic
// credentials are then reported), Content-Type and the elements and
// attributes of each operation, failing the test on anything unexpected.
// Faults are injected by method: ServerBusy (ErrorServerBusy with
// BackOffMilliseconds), InvalidateSyncStates (ErrorInvalidSyncStateData),
// FailNext (HTTP 5xx). Requests logs each operation with the sync state
// it carried. It listens on 127.0.0.1 only.
package ewsfake
