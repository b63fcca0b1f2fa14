-- CreateTable
CREATE TABLE "Session" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "config" TEXT NOT NULL DEFAULT '{}',
    "running" BOOLEAN NOT NULL DEFAULT false,
    "meId" TEXT,
    "mePushName" TEXT,
    "worker" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastActivityAt" DATETIME
);

-- CreateTable
CREATE TABLE "SessionMetadata" (
    "sessionName" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    PRIMARY KEY ("sessionName", "key"),
    CONSTRAINT "SessionMetadata_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Session_running_idx" ON "Session"("running");

-- CreateIndex
CREATE INDEX "SessionMetadata_key_value_idx" ON "SessionMetadata"("key", "value");

