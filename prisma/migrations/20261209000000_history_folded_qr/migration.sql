-- QR refreshes folded into one status history row (docs/session-health.md, "History"): how many QR codes
-- were shown in a row, and when the last one was.
ALTER TABLE "SessionHistory" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "SessionHistory" ADD COLUMN "lastTimestamp" DATETIME;
