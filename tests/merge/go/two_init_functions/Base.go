package config

var defaults = map[string]string{}

func init() {
	defaults["mode"] = "fast"
}

func init() {
	defaults["level"] = "info"
}

func Get(key string) string {
	return defaults[key]
}
