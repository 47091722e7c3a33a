package supersimtest

import "sync"

// memo is a small, bounded, concurrency-safe cache: when full it starts
// over, which is plenty for a test server that sees few distinct queries.
type memo[V any] struct {
	mu    sync.Mutex
	items map[string]V
	limit int
}

func newMemo[V any](limit int) *memo[V] {
	return &memo[V]{items: map[string]V{}, limit: limit}
}

func (m *memo[V]) get(key string) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[key]
	return v, ok
}

func (m *memo[V]) put(key string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.items) >= m.limit {
		clear(m.items)
	}
	m.items[key] = v
}
