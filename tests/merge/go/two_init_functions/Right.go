package config

var defaults = map[string]string{}

func init() {
	defaults["mode"] = "fast"
}

func init() {
	defaults["level"] = "debug"
}

func Get(key string) string {
	return defaults[key]
}

func Two() int {
	return 2
}
