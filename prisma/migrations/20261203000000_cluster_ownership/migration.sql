-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "incarnation" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "capacity" INTEGER,
    "draining" BOOLEAN NOT NULL DEFAULT false,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "leaseUntil" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL,
    "startedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SessionOwner" (
    "sessionName" TEXT NOT NULL PRIMARY KEY,
    "workerId" TEXT,
    "incarnation" TEXT,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "claimedAt" DATETIME,
    "status" TEXT NOT NULL DEFAULT 'STOPPED',
    "statusAt" DATETIME,
    CONSTRAINT "SessionOwner_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Worker_leaseUntil_idx" ON "Worker"("leaseUntil");

-- CreateIndex
CREATE INDEX "SessionOwner_workerId_idx" ON "SessionOwner"("workerId");

