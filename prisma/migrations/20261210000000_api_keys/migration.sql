-- API keys other than WAHA_API_KEY (docs/api.md, "API keys"): stored as SHA-256 hashes, a session key goes
-- with its session.
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "keyHash" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "sessionName" TEXT,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "actions" TEXT,
    "scope" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    CONSTRAINT "ApiKey_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session" ("name") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");
CREATE INDEX "ApiKey_keyPrefix_idx" ON "ApiKey"("keyPrefix");
CREATE INDEX "ApiKey_sessionName_idx" ON "ApiKey"("sessionName");
