package store

import "context"

// MigrateDown undoes every migration after version, for the tests of the
// migrations' Down sections.
func MigrateDown(ctx context.Context, s *Store, version int64) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	s.forgetPartitions()
	return err
}
