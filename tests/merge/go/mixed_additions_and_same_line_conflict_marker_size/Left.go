package limits

import "runtime"

func Workers() int {
	return max(1, runtime.NumCPU()-1)
}

func QueueSize() int {
	return 64
}

func BatchSize() int {
	return 256
}
