-- CreateTable
CREATE TABLE "AuthSnapshot" (
    "sessionName" TEXT NOT NULL,
    "loginId" TEXT NOT NULL,
    "generation" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "workerId" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "files" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,
    "savedAt" TIMESTAMP(3) NOT NULL,
    "saveMs" INTEGER NOT NULL,
    "restoredAt" TIMESTAMP(3),
    "restoredBy" TEXT,
    "restoreMs" INTEGER,

    CONSTRAINT "AuthSnapshot_pkey" PRIMARY KEY ("sessionName")
);

-- AddForeignKey
ALTER TABLE "AuthSnapshot" ADD CONSTRAINT "AuthSnapshot_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session"("name") ON DELETE CASCADE ON UPDATE CASCADE;
