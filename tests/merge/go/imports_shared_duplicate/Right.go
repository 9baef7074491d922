package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, strings.TrimSpace("usage: greet NAME"), time.Now().Format(time.Kitchen))
		os.Exit(2)
	}
	fmt.Println("hello,", os.Args[1])
}
