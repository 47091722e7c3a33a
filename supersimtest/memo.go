package supersimtest

import "sync"

// memo is a small, bounded, concurrency-safe cache: it holds items up to
// a total cost and, when full, forgets the oldest first.
type memo[V any] struct {
	mu    sync.Mutex
	items map[string]V
	order []string // keys, oldest first
	used  int
	limit int
	cost  func(V) int
}

func newMemo[V any](limit int, cost func(V) int) *memo[V] {
	return &memo[V]{items: map[string]V{}, limit: limit, cost: cost}
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
	if _, ok := m.items[key]; ok {
		return
	}
	c := m.cost(v)
	for len(m.order) > 0 && m.used+c > m.limit {
		oldest := m.order[0]
		m.order = m.order[1:]
		m.used -= m.cost(m.items[oldest])
		delete(m.items, oldest)
	}
	m.items[key] = v
	m.order = append(m.order, key)
	m.used += c
}
