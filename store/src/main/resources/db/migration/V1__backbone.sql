-- vmdna store, schema 1: what worker replicas share (DESIGN.md "State").

-- One row per migration id: the idempotency key of the process (DESIGN.md "Process contract").
create table migration (
    migration_id         text primary key,
    process_instance_key bigint      not null,
    vm_id                text        not null,
    source_host_id       text        not null,
    target_host_id       text,
    signal_type          text        not null,
    reason               text,
    status               text        not null,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);
create index migration_vm_idx on migration (vm_id);

-- Step history: one row per step outcome, in order.
create table migration_step (
    id           bigserial primary key,
    migration_id text        not null references migration (migration_id),
    step         text        not null,
    outcome      text        not null,
    detail       text,
    at           timestamptz not null default now()
);
create index migration_step_migration_idx on migration_step (migration_id);

-- Capacity booked on a target host by an in-flight migration (oVirt's pending resources).
create table reservation (
    migration_id text primary key,
    host_id      text             not null,
    vm_id        text             not null,
    cpu_mhz      double precision not null check (cpu_mhz >= 0),
    mem_kb       double precision not null check (mem_kb >= 0),
    created_at   timestamptz      not null default now()
);
create index reservation_host_idx on reservation (host_id);
