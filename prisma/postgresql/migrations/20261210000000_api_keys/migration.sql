-- API keys other than WAHA_API_KEY (docs/api.md, "API keys"): stored as SHA-256 hashes, a session key goes
-- with its session.
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "sessionName" TEXT,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "actions" TEXT,
    "scope" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");
CREATE INDEX "ApiKey_keyPrefix_idx" ON "ApiKey"("keyPrefix");
CREATE INDEX "ApiKey_sessionName_idx" ON "ApiKey"("sessionName");

ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_sessionName_fkey" FOREIGN KEY ("sessionName") REFERENCES "Session"("name") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every worker keeps the keys in memory (server/keys/principals.ts): a write that changes what a key may do
-- (a cascade from a deleted session included) makes each drop them at once (sb_cache, 'ApiKey'). Writes of
-- lastUsedAt alone say nothing.
CREATE TRIGGER "ApiKey_notify_cache" AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "keyHash", "isAdmin", "sessionName", "isActive", "actions" ON "ApiKey"
  FOR EACH STATEMENT EXECUTE FUNCTION sb_notify_cache();
