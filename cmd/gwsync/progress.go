package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/gwsync/gwsync/engine"
)

// progressBar draws engine progress on a terminal's stderr, at most ten
// times a second; off a terminal it stays silent (logs say what happened).
type progressBar struct {
	mu    sync.Mutex
	on    bool
	last  time.Time
	drawn bool
}

func newProgressBar() *progressBar { return &progressBar{on: isTerminal(os.Stderr)} }

func (p *progressBar) update(pr engine.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	final := pr.Total > 0 && pr.Done >= pr.Total
	if !final && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	label := pr.Phase
	if pr.Name != "" {
		label += " " + pr.Name
	}
	line := fmt.Sprintf("%-24s %d", label, pr.Done)
	if pr.Total > 0 {
		const width = 30
		filled := int(float64(width) * float64(pr.Done) / float64(pr.Total))
		bar := make([]rune, width)
		for i := range bar {
			bar[i] = '░'
			if i < filled {
				bar[i] = '█'
			}
		}
		line = fmt.Sprintf("%-24s %s %d/%d", label, string(bar), pr.Done, pr.Total)
	}
	fmt.Fprintf(os.Stderr, "\r\033[K%s", line)
	p.drawn = true
}

// done clears the bar's line.
func (p *progressBar) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.drawn {
		fmt.Fprint(os.Stderr, "\r\033[K")
		p.drawn = false
	}
}
