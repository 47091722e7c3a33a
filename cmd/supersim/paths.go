package main

import (
	"os"
	"path/filepath"
)

// resolvedPath is path made absolute, with its symbolic links resolved:
// all of them when path exists, those of its directory when it does not
// yet.
func resolvedPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// samePath reports whether a and b name the same file: two names of one
// existing file (links, other spellings), or one path once resolved.
func samePath(a, b string) bool {
	if infoA, err := os.Stat(a); err == nil {
		if infoB, err := os.Stat(b); err == nil {
			return os.SameFile(infoA, infoB)
		}
	}
	return resolvedPath(a) == resolvedPath(b)
}
