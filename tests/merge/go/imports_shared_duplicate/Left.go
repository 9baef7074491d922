package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: greet NAME")
		os.Exit(2)
	}
	names := os.Args[1:]
	sort.Strings(names)
	fmt.Println("hello,", strings.Join(names, ", "))
}
