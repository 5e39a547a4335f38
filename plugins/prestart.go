package plugins

import (
	"context"
	"os/exec"
	"slices"
)

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
	if l.Cmd != nil {
		// start adds to the command's environment; the caller's later
		// Open of the same Launch reads it for its pool key.
		l.Cmd = cloneCmd(l.Cmd)
	}
	go func() {
		if fresh {
			p.start(context.Background(), pp, l, r)
		}
		<-pp.ready
		p.giveBack(pp)
	}()
}

// cloneCmd is an unstarted copy of c: what poolKey reads (path,
// arguments, folder, environment) and how the child is set up.
func cloneCmd(c *exec.Cmd) *exec.Cmd {
	n := exec.Command(c.Path, c.Args[1:]...)
	n.Args = slices.Clone(c.Args)
	n.Dir, n.Env = c.Dir, slices.Clone(c.Env)
	if c.SysProcAttr != nil {
		attr := *c.SysProcAttr // the launch sets the parent-death signal in it
		n.SysProcAttr = &attr
	}
	return n
}
