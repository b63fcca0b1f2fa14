-- AlterTable
ALTER TABLE "Session" ADD COLUMN "meJid" TEXT;
ALTER TABLE "Session" ADD COLUMN "meLid" TEXT;
