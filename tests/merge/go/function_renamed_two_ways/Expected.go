package conf

import "strings"

<<<<<<< ours
func ParseConfig(s string) []string {
=======
func ParseFile(s string) []string {
>>>>>>> theirs
	return strings.Split(s, "\n")
}

func Join(lines []string) string {
	return strings.Join(lines, "\n")
}
