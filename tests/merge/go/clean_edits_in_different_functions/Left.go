package wc

import "strings"

func Lines(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(s, "\n"), "\n") + 1
}

func Words(s string) int {
	return len(strings.Fields(s))
}

func Chars(s string) int {
	return len(s)
}
