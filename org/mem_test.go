package org

import "runtime"

// runtimeMem reads the bytes allocated so far (for bounds in tests).
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.total = ms.TotalAlloc
}
