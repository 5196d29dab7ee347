package auth

import (
	"runtime"
	"time"
)

// Hashes run on OS threads of their own at a lower scheduling priority, so
// that on a node whose cores are all hashing, the kernel still runs a
// request's thread at once when it has work (a refusal, a page). The
// threads are kept while busy and end after a minute idle.

// hashNice is how much lower than the rest of the process a hashing
// thread's priority is (Linux nice steps: 10 gives it about a tenth of a
// core against a busy thread of normal priority).
const hashNice = 10

var hashJobs = make(chan func())

// onHashThread runs fn on a hashing thread and waits for it.
func onHashThread(fn func()) {
	done := make(chan struct{})
	job := func() { defer close(done); fn() }
	select {
	case hashJobs <- job:
	default:
		go hashThread(job)
	}
	<-done
}

func hashThread(first func()) {
	runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
	lowerThreadPriority(hashNice)
	first()
	idle := time.NewTimer(time.Minute)
	defer idle.Stop()
	for {
		select {
		case job := <-hashJobs:
			job()
			idle.Reset(time.Minute)
		case <-idle.C:
			return
		}
	}
}
