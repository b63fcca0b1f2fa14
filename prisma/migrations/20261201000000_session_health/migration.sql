-- AlterTable
ALTER TABLE "Session" ADD COLUMN "lastDisconnectAt" DATETIME;
ALTER TABLE "Session" ADD COLUMN "lastDisconnectReason" TEXT;
ALTER TABLE "Session" ADD COLUMN "lastFailureAt" DATETIME;
ALTER TABLE "Session" ADD COLUMN "lastFailureReason" TEXT;

-- CreateTable
CREATE TABLE "SessionHistory" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionName" TEXT NOT NULL,
    "timestamp" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "disconnect" TEXT,
    CONSTRAINT "SessionHistory_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SessionHistory_sessionName_id_idx" ON "SessionHistory"("sessionName", "id");
