package conf

import "strings"

func ParseFile(s string) []string {
	return strings.Split(s, "\n")
}

func Join(lines []string) string {
	return strings.Join(lines, "\n")
}
