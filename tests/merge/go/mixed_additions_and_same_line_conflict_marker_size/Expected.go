package limits

import "runtime"

func Workers() int {
<<<<<<<<<<< ours
	return max(1, runtime.NumCPU()-1)
===========
	return runtime.GOMAXPROCS(0)
>>>>>>>>>>> theirs
}

func QueueSize() int {
	return 64
}

func BatchSize() int {
	return 256
}

func Retries() int {
	return 3
}
