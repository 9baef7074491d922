package cli

import (
	"fmt"
	"os"
	"time"
)

func Run(args []string) int {
	fmt.Fprintln(os.Stderr, args)
	return 0
}

func Now() string {
	return time.Now().Format(time.RFC3339)
}
