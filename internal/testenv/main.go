package testenv

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// Main runs a package's tests with WidenParallel; a test package whose tests
// mostly wait uses it as its TestMain.
func Main(m *testing.M) {
	WidenParallel()
	os.Exit(m.Run())
}

// WidenParallel lets four times as many parallel tests run at once as there
// are cores, unless -test.parallel was given. These tests spend most of
// their time waiting on a database, a socket, a mail server or a browser,
// so the default (one per core) leaves the cores idle; GOMAXPROCS still
// bounds the CPU they use. Call it in TestMain before m.Run.
func WidenParallel() {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
}
