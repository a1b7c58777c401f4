package sqlstore

import "context"

// BumpLinkGeneration implements [store.JobStore]: one UPDATE … RETURNING,
// so that two callers never get the same generation.
func (s jobStore) BumpLinkGeneration(ctx context.Context, jobID string) (int64, error) {
	var gen int64
	err := s.write(ctx, "", func(t tx) error {
		return t.queryRow(ctx, "UPDATE provisioning_jobs SET link_generation = link_generation + 1 WHERE id = ? RETURNING link_generation",
			jobID).Scan(&gen)
	})
	return gen, notFound(err, "bump link generation of job %q", jobID)
}
