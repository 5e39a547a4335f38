package exchange

import "github.com/gwsync/gwsync/adapters"

func init() {
	adapters.Register(adapters.Registration{
		Name:        "exchange",
		Description: "Microsoft Exchange: Graph (Exchange Online) or EWS (Exchange Server)",
		Options:     optionDecls,
		Kinds:       adapters.Kinds,
		NewSource:   open,
	})
}
