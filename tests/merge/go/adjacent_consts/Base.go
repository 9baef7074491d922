package server

import "time"

const DefaultAddr = ":8080"
const ReadTimeout = 5 * time.Second
const WriteTimeout = 10 * time.Second

func Timeouts() (time.Duration, time.Duration) {
	return ReadTimeout, WriteTimeout
}
