package units

import "fmt"

func Bytes(n int64) string {
	return fmt.Sprintf("%d B", n)
}

func KiB(n int64) string {
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}

func MiB(n int64) string {
	return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
}
