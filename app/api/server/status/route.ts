import { apiRoute, json } from "@/server/http/handler";
import { serverStatus } from "@/server/system/server-control";

export const GET = apiRoute(async () => json(serverStatus()));
