package conf

import "strings"

func ParseConfig(s string) []string {
	return strings.Split(s, "\n")
}

func Join(lines []string) string {
	return strings.Join(lines, "\n")
}
