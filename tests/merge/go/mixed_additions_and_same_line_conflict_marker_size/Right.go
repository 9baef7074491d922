package limits

import "runtime"

func Workers() int {
	return runtime.GOMAXPROCS(0)
}

func QueueSize() int {
	return 64
}

func Retries() int {
	return 3
}
