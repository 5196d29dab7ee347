package auth

import (
	"runtime"
	"syscall"
	"testing"
)

// threadPriority is the calling thread's priority as the kernel's
// getpriority answers it, 20 - nice: a lower number is a lower priority.
func threadPriority() int {
	p, err := syscall.Getpriority(syscall.PRIO_PROCESS, syscall.Gettid())
	if err != nil {
		return -1000
	}
	return p
}

func TestHashesRunOnThreadsOfLowerPriority(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	own := threadPriority()

	var during []int
	for range 3 { // the first starts a thread, the next reuse it
		onHashThread(func() { during = append(during, threadPriority()) })
	}
	for i, p := range during {
		if p != own-hashNice {
			t.Errorf("hash %d ran at priority %d, want %d (%d below the caller's %d)", i+1, p, own-hashNice, hashNice, own)
		}
	}
	if threadPriority() != own {
		t.Error("the caller's own thread changed priority")
	}
}
