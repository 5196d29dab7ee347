package loadtest

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/stat.
const clockTicks = 100

// cpuMeter tells how much of the machine's CPU went to processes other
// than the harness and the children it has waited for (the nodes, the bare
// handler, nginx): other work on a shared machine, and PostgreSQL.
type cpuMeter struct {
	start      time.Time
	busy, ours float64 // seconds
}

func startCPUMeter() cpuMeter {
	return cpuMeter{start: time.Now(), busy: machineBusy(), ours: ownCPU()}
}

// otherPercent is the share of all cores' time since start spent by other
// processes.
func (m cpuMeter) otherPercent() float64 {
	capacity := time.Since(m.start).Seconds() * float64(runtime.NumCPU())
	other := (machineBusy() - m.busy) - (ownCPU() - m.ours)
	return 100 * max(other, 0) / capacity
}

// machineBusy is the CPU time, in seconds, every process has used since
// boot (the non-idle fields of /proc/stat).
func machineBusy() float64 {
	b, _ := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var ticks float64
	for i, v := range f {
		if i == 0 || i == 4 || i == 5 || i > 8 { // the label, idle, iowait, guest
			continue
		}
		n, _ := strconv.ParseFloat(v, 64)
		ticks += n
	}
	return ticks / clockTicks
}

// ownCPU is the CPU time of this process and of its children that have
// ended, in seconds.
func ownCPU() float64 {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return seconds(self.Utime) + seconds(self.Stime) + seconds(children.Utime) + seconds(children.Stime)
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
