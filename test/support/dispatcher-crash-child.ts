/**
 * The child process of the dispatcher's crash-recovery test: starts a dispatcher on DATABASE_URL and
 * prints "started"; the test then kills it with SIGKILL while requests are in flight.
 */
import { openDb } from "@/server/db";
import { WebhookDispatcher } from "@/server/webhooks/dispatcher";

const db = openDb(process.env.DATABASE_URL!);
const dispatcher = new WebhookDispatcher({ db, version: "crash-test", concurrencyPerTarget: 4, requestTimeoutMs: 60_000 });
await dispatcher.start();
process.stdout.write("started\n");
setInterval(() => {}, 1_000);
