import { apiRoute, json } from "@/server/http/handler";
import { drainWorker } from "@/server/system/workers";

export const POST = apiRoute(async () => json(await drainWorker()));
