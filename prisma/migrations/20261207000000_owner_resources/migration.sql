-- The owner's latest figures of each session's browser (docs/observability.md, "In the API"). SessionOwner
-- is used in cluster mode only (PostgreSQL); the columns are here so both histories hold the same model.
ALTER TABLE "SessionOwner" ADD COLUMN "memoryRss" BIGINT;
ALTER TABLE "SessionOwner" ADD COLUMN "memoryPss" BIGINT;
ALTER TABLE "SessionOwner" ADD COLUMN "cpu" REAL;
ALTER TABLE "SessionOwner" ADD COLUMN "processes" INTEGER;
ALTER TABLE "SessionOwner" ADD COLUMN "sampledAt" DATETIME;
ALTER TABLE "SessionOwner" ADD COLUMN "resourcesUntil" DATETIME;
