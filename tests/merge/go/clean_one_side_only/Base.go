// Package version reports the build's semantic version.
//
// It is set at release time.
package version

import "fmt"

var Major, Minor, Patch = 1, 4, 2

func String() string {
	return fmt.Sprintf("%d.%d.%d", Major, Minor, Patch)
}
