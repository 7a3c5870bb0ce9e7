//go:build !linux

package main

import "os"

// terminal reports false where there is no TCGETS: init then takes only
// flags, as in a script.
func terminal(*os.File) bool { return false }
