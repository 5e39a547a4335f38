// Package ews is the Exchange Web Services half of the exchange adapter,
// for Exchange Server on premises (2016, 2019, Subscription Edition), where
// EWS remains the API. It speaks SOAP over HTTPS with Basic authentication:
// FindFolder for the import folder, SyncFolderItems for that folder, the
// Calendar and Tasks (the sync states are the incremental cursor), GetItem
// in batches, UpdateItem with the ChangeKey for time write-back, and
// CreateItem with SendMeetingInvitations="SendToNone" for export.
//
// NTLM is not implemented: "auth: ntlm" is refused as InvalidConfig; enable
// Basic authentication on the EWS virtual directory (over HTTPS) instead.
package ews
