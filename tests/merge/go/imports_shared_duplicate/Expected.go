package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, strings.TrimSpace("usage: greet NAME"), time.Now().Format(time.Kitchen))
		os.Exit(2)
	}
	names := os.Args[1:]
	sort.Strings(names)
	fmt.Println("hello,", strings.Join(names, ", "))
}
