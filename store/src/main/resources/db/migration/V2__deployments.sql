-- Which bundled process resources the workers deployed, so ops edits deployed later survive a
-- restart (the embedded engine cannot list its deployments).
create table deployment (
    resource_name text primary key,
    checksum      text        not null,
    deployed_at   timestamptz not null default now()
);
