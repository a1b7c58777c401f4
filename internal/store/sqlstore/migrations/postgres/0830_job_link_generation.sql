-- Issue 15: a job's link generation (store.JobStore.BumpLinkGeneration).
-- Every holder of the job's lock that may write links (a cycle, a
-- provision on demand, a reconciliation) adds one at its start, and every
-- other writer of links after its write, so that a server keeping the
-- job's links in memory knows whether another wrote them since its last
-- turn (the generation is then not the one it saw plus one).
ALTER TABLE provisioning_jobs ADD COLUMN link_generation BIGINT NOT NULL DEFAULT 0;
