-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "incarnation" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "capacity" INTEGER,
    "draining" BOOLEAN NOT NULL DEFAULT false,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "leaseUntil" TIMESTAMP(3) NOT NULL,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SessionOwner" (
    "sessionName" TEXT NOT NULL,
    "workerId" TEXT,
    "incarnation" TEXT,
    "epoch" INTEGER NOT NULL DEFAULT 0,
    "claimedAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'STOPPED',
    "statusAt" TIMESTAMP(3),

    CONSTRAINT "SessionOwner_pkey" PRIMARY KEY ("sessionName")
);

-- CreateIndex
CREATE INDEX "Worker_leaseUntil_idx" ON "Worker"("leaseUntil");

-- CreateIndex
CREATE INDEX "SessionOwner_workerId_idx" ON "SessionOwner"("workerId");

-- AddForeignKey
ALTER TABLE "SessionOwner" ADD CONSTRAINT "SessionOwner_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session"("name") ON DELETE CASCADE ON UPDATE CASCADE;
