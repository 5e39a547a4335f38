package web

import (
	"container/list"
	"time"
)

// lru is a bounded map whose entries expire after idle without use. Its
// entries are also kept in a list, most recently used first, so that
// expiry and the cap look only at the list's tail: each call costs O(1)
// however many entries there are. It does no locking; the values it
// drops are returned, so that the caller releases them after unlocking.
type lru[V any] struct {
	byKey map[string]*list.Element
	order *list.List // of *lruEntry[V], most recently used at the front
	max   int
	idle  time.Duration
}

type lruEntry[V any] struct {
	key  string
	val  V
	seen time.Time
}

func newLRU[V any](max int, idle time.Duration) *lru[V] {
	return &lru[V]{byKey: map[string]*list.Element{}, order: list.New(), max: max, idle: idle}
}

// get returns the live entry for key and marks it used at now.
func (c *lru[V]) get(key string, now time.Time) (v V, ok bool, dropped []V) {
	dropped = c.expire(now)
	e := c.byKey[key]
	if e == nil {
		return v, false, dropped
	}
	ent := e.Value.(*lruEntry[V])
	ent.seen = now
	c.order.MoveToFront(e)
	return ent.val, true, dropped
}

// put adds (or replaces) key, used at now; at the cap the least recently
// used entries go.
func (c *lru[V]) put(key string, v V, now time.Time) (dropped []V) {
	dropped = c.expire(now)
	if old, ok := c.remove(key); ok {
		dropped = append(dropped, old)
	}
	for len(c.byKey) >= c.max {
		ent := c.order.Back().Value.(*lruEntry[V])
		c.remove(ent.key)
		dropped = append(dropped, ent.val)
	}
	c.byKey[key] = c.order.PushFront(&lruEntry[V]{key: key, val: v, seen: now})
	return dropped
}

// remove deletes key and returns its value.
func (c *lru[V]) remove(key string) (v V, ok bool) {
	e := c.byKey[key]
	if e == nil {
		return v, false
	}
	delete(c.byKey, key)
	c.order.Remove(e)
	return e.Value.(*lruEntry[V]).val, true
}

// expire drops the entries idle for longer than c.idle. They sit at the
// list's tail, so this stops at the first live one.
func (c *lru[V]) expire(now time.Time) (dropped []V) {
	for e := c.order.Back(); e != nil; e = c.order.Back() {
		ent := e.Value.(*lruEntry[V])
		if now.Sub(ent.seen) <= c.idle {
			return dropped
		}
		c.remove(ent.key)
		dropped = append(dropped, ent.val)
	}
	return dropped
}

// drain removes every entry and returns their values.
func (c *lru[V]) drain() []V {
	out := make([]V, 0, len(c.byKey))
	for e := c.order.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*lruEntry[V]).val)
	}
	c.byKey = map[string]*list.Element{}
	c.order.Init()
	return out
}

func (c *lru[V]) len() int { return len(c.byKey) }
