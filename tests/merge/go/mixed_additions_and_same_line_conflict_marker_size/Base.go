package limits

import "runtime"

func Workers() int {
	return runtime.NumCPU()
}

func QueueSize() int {
	return 64
}
