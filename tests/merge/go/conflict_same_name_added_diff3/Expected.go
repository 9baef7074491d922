package env

import "os"

func Get(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}
<<<<<<< ours

func MustGet(key string) string {
	v, ok := os.LookupEnv(key)
	if !ok {
		panic("missing environment variable " + key)
	}
	return v
}
||||||| base
=======

func MustGet(key string) string {
	v := os.Getenv(key)
	if v == "" {
		panic("empty environment variable " + key)
	}
	return v
}
>>>>>>> theirs
