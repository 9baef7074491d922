package cli

import (
	"fmt"
	"os"
)

func Run(args []string) int {
	fmt.Fprintln(os.Stderr, args)
	return 0
}
