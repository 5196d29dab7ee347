package auth

import "syscall"

// lowerThreadPriority renices the calling thread only: on Linux a thread
// id given to setpriority names that one thread.
func lowerThreadPriority(nice int) {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), nice)
}
