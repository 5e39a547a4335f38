package state

import (
	"errors"
	"fmt"
	"sort"
)

// CheckPreferenceWrite is what both stores refuse before writing
// preferences: an empty user or key. It returns the keys of values in
// order, so that both journal changes in the same order.
func CheckPreferenceWrite(user string, values map[string]string) ([]string, error) {
	if user == "" {
		return nil, errors.New("state: set preferences: empty user")
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		if k == "" {
			return nil, fmt.Errorf("state: set preferences of %q: empty key", user)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}
