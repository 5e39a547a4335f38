package plugins

import "context"

// PrestartSource starts a process for l's adapter in the background, if
// the pool has none for it yet, so that a later OpenSource of the same
// launch finds it started or starting: a caller that knows which adapters
// it will need (the CLI, from its config) starts them while it opens its
// state and reads preferences, instead of after. Errors are left to that
// OpenSource, which meets them again. The process is kept like any idle
// one (until IdleTimeout or Close).
func (p *Pool) PrestartSource(l Launch) { p.prestart(l, roleSource) }

func (p *Pool) prestart(l Launch, r role) {
	key, err := poolKey(l)
	if err != nil || l.Adapter == "" {
		return
	}
	p.mu.Lock()
	p.dropExitedLocked(key)
	running := len(p.groups[key]) > 0
	p.mu.Unlock()
	if running {
		return
	}
	pp, _, fresh, _, err := p.take(key)
	if err != nil || pp == nil {
		return
	}
	go func() {
		if fresh {
			p.start(context.Background(), pp, l, r)
		}
		<-pp.ready
		p.giveBack(pp)
	}()
}
