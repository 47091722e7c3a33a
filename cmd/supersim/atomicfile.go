package main

import (
	"os"
	"path/filepath"
)

// writeFileAtomic replaces the file at path with data atomically: it
// writes a temporary file in the same directory (named as tempPattern
// says, so that removeStaleTemps finds one a killed run left), syncs it
// and renames it over path, so a crash leaves the old file or the new
// one, never a mix. The new file has mode 0600.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+tempPattern)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return err
	}
	syncDir(dir) // make the rename itself durable
	return nil
}
