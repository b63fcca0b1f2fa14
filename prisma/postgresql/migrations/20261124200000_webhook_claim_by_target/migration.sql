-- CreateIndex
CREATE INDEX "WebhookDelivery_worker_state_url_nextAttemptAt_idx" ON "WebhookDelivery"("worker", "state", "url", "nextAttemptAt");
