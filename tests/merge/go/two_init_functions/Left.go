package config

var defaults = map[string]string{}

func init() {
	defaults["level"] = "info"
}

func Get(key string) string {
	return defaults[key]
}

func One() int {
	return 1
}
