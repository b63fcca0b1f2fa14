-- CreateTable
CREATE TABLE "AuthSnapshot" (
    "sessionName" TEXT NOT NULL PRIMARY KEY,
    "loginId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "workerId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "files" INTEGER NOT NULL,
    "data" BLOB NOT NULL,
    "savedAt" DATETIME NOT NULL,
    "saveMs" INTEGER NOT NULL,
    "restoredAt" DATETIME,
    "restoredBy" TEXT,
    "restoreMs" INTEGER,
    CONSTRAINT "AuthSnapshot_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);
