// Package exchange is the "exchange" groupware source: Microsoft Exchange
// through Microsoft Graph (api: graph, Exchange Online) or Exchange Web
// Services (api: ews, Exchange Server on premises). It decodes options and
// hands over to the graph or ews package; both map items by the same rules
// as the files, CalDAV and IMAP adapters (see internal/xchg).
package exchange
