// Package pool sizes worker pools from the CPU count.
package pool

func Size(cpus int) int {
<<<<<<<<< ours
	n := cpus * 4
=========
	n := cpus + 2
>>>>>>>>> theirs
	if n < 4 {
		n = 4
	}
	return n
}
