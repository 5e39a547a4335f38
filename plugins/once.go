package plugins

import "sync"

// onceErr runs a close function once and remembers its error, making Close
// safe to call more than once as the contract requires.
type onceErr struct {
	once sync.Once
	err  error
}

func (o *onceErr) do(f func() error) error {
	o.once.Do(func() {
		if f != nil {
			o.err = f()
		}
	})
	return o.err
}
