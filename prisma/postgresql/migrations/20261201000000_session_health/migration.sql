-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "lastDisconnectAt" TIMESTAMP(3),
ADD COLUMN     "lastDisconnectReason" TEXT,
ADD COLUMN     "lastFailureAt" TIMESTAMP(3),
ADD COLUMN     "lastFailureReason" TEXT;

-- CreateTable
CREATE TABLE "SessionHistory" (
    "id" TEXT NOT NULL,
    "sessionName" TEXT NOT NULL,
    "timestamp" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "disconnect" TEXT,

    CONSTRAINT "SessionHistory_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SessionHistory_sessionName_id_idx" ON "SessionHistory"("sessionName", "id");

-- AddForeignKey
ALTER TABLE "SessionHistory" ADD CONSTRAINT "SessionHistory_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session"("name") ON DELETE CASCADE ON UPDATE CASCADE;
