-- The DNA history: every DNA embedding the profiler computed for a VM (schema 2: one every 3 hours), so
-- a VM's behaviour over time can be read back (drift, similarity, cold-start peers). Written by the
-- Flink job's DNA sink; a replay after a restore writes the same rows again, which the primary key
-- turns into no-ops.
create table dna_history (
    vm_id          text               not null,
    computed_at_s  bigint             not null,
    host_id        text               not null,
    schema_version int                not null,
    embedding      double precision[] not null,
    error_score    double precision   not null,
    recorded_at    timestamptz        not null default now(),
    primary key (vm_id, computed_at_s)
);
