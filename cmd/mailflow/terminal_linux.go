package main

import (
	"os"
	"syscall"
	"unsafe"
)

// terminal reports whether f is a terminal a person types at: one that
// answers the TCGETS ioctl (isatty(3)). A character device is not enough:
// /dev/null is one, and a script's init must not wait for answers.
func terminal(f *os.File) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
