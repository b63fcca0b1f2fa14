-- The sessions list's failing deliveries per session (webhookTrouble) read the retrying and dead rows of the
-- sessions of a page, not every delivery they ever had.
CREATE INDEX "WebhookDelivery_session_state_finishedAt_idx" ON "WebhookDelivery"("session", "state", "finishedAt");
