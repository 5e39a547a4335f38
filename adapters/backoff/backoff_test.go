package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	p := Policy{Base: 200 * time.Millisecond, Max: time.Second}
	for n, want := range map[int]time.Duration{1: 200 * time.Millisecond, 2: 400 * time.Millisecond, 3: 800 * time.Millisecond, 4: time.Second, 40: time.Second} {
		if got := p.Delay(n, 0); got != want {
			t.Errorf("Delay(%d) = %v, want %v", n, got, want)
		}
	}
	if got := p.Delay(1, 700*time.Millisecond); got != 700*time.Millisecond {
		t.Errorf("a server's ask is %v, want 700ms", got)
	}
	if got := p.Delay(1, time.Hour); got != time.Second {
		t.Errorf("a server's ask is not capped: %v", got)
	}
	if got := (Policy{Base: time.Second}).Delay(3, 0); got != 4*time.Second {
		t.Errorf("uncapped: %v", got)
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context: %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Error(err)
	}
}
