import { apiRoute, json } from "@/server/http/handler";
import { listWorkers } from "@/server/system/workers";

export const GET = apiRoute(async () => json(await listWorkers()));
