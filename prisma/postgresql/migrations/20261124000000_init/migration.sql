-- CreateTable
CREATE TABLE "Session" (
    "name" TEXT NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "running" BOOLEAN NOT NULL DEFAULT false,
    "meId" TEXT,
    "mePushName" TEXT,
    "worker" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "lastActivityAt" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "SessionMetadata" (
    "sessionName" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "SessionMetadata_pkey" PRIMARY KEY ("sessionName","key")
);

-- CreateIndex
CREATE INDEX "Session_running_idx" ON "Session"("running");

-- CreateIndex
CREATE INDEX "SessionMetadata_key_value_idx" ON "SessionMetadata"("key", "value");

-- AddForeignKey
ALTER TABLE "SessionMetadata" ADD CONSTRAINT "SessionMetadata_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session"("name") ON DELETE CASCADE ON UPDATE CASCADE;
