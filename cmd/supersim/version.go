package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// moduleVersion is the module version the binary was built from:
// "v1.2.3" after go install ...@v1.2.3, "(devel)" under go run or go build
// in a clone.
func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "(devel)"
	}
	return info.Main.Version
}

// versionLine is what "supersim version" prints.
func versionLine() string {
	return fmt.Sprintf("supersim %s %s %s/%s", moduleVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
