package env

import "os"

func Get(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

func MustGet(key string) string {
	v := os.Getenv(key)
	if v == "" {
		panic("empty environment variable " + key)
	}
	return v
}
