package cli

import (
	"fmt"
	"os"
	"strings"
	"time"
)

func Run(args []string) int {
	fmt.Fprintln(os.Stderr, strings.Join(args, " "))
	return 0
}

func Now() string {
	return time.Now().Format(time.RFC3339)
}
