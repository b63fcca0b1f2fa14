-- The owner's latest figures of each session's browser (docs/observability.md, "In the API"), written once
-- per sampler round.
ALTER TABLE "SessionOwner" ADD COLUMN "memoryRss" BIGINT,
  ADD COLUMN "memoryPss" BIGINT,
  ADD COLUMN "cpu" DOUBLE PRECISION,
  ADD COLUMN "processes" INTEGER,
  ADD COLUMN "sampledAt" TIMESTAMP(3),
  ADD COLUMN "resourcesUntil" TIMESTAMP(3);

-- Those writes say nothing on sb_owner (20261204000000_cluster_notify): the trigger fires only on the columns
-- it reports (an UPDATE OF trigger runs when one of them is in the SET list), so a round of figures for
-- hundreds of sessions costs no per-row trigger call and no NOTIFY.
DROP TRIGGER "SessionOwner_notify" ON "SessionOwner";
CREATE TRIGGER "SessionOwner_notify" AFTER INSERT OR DELETE OR UPDATE OF "sessionName", "workerId", "epoch", "status" ON "SessionOwner"
  FOR EACH ROW EXECUTE FUNCTION sb_notify_owner();
