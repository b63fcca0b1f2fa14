-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "meJid" TEXT,
ADD COLUMN     "meLid" TEXT;
