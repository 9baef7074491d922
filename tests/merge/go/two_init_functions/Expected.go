package config

var defaults = map[string]string{}

func init() {
	defaults["level"] = "debug"
}

func Get(key string) string {
	return defaults[key]
}

func One() int {
	return 1
}

func Two() int {
	return 2
}
