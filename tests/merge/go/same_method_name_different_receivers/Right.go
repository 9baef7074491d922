package files

import "os"

type Reader struct {
	f *os.File
}

type Writer struct {
	f *os.File
}

func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	return &Reader{f: f}, err
}

func (w *Writer) Close() error {
	if err := w.f.Sync(); err != nil {
		return err
	}
	return w.f.Close()
}
