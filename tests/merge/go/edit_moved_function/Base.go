package slug

import (
	"strings"
	"unicode"
)

func keep(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Make turns a title into a URL slug.
func Make(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if keep(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
