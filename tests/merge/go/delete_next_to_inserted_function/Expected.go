package units

import "fmt"

func Bytes(n int64) string {
	return fmt.Sprintf("%d B", n)
}

func Human(n int64) string {
	if n < 1024 {
		return Bytes(n)
	}
	return MiB(n)
}

func MiB(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
}
