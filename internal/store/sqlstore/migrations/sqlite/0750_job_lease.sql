-- Issue 15: a job's cycle lease (store.JobStore.LockJob), so that servers
-- sharing one database take over the job of a server that died or hangs
-- once its lease expires (expires_ms, the database's clock in epoch
-- milliseconds). holder names one acquisition; the holder renews the lease
-- while its cycle runs and deletes the row when it ends. No foreign key: a
-- lease outlives nothing (it expires) and may be taken before the job row
-- is read.
CREATE TABLE provisioning_job_leases (
    job_id TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
