// Package pool sizes worker pools from the CPU count.
package pool

func Size(cpus int) int {
	n := cpus * 2
	if n < 4 {
		n = 4
	}
	return n
}
