import { apiRoute, json } from "@/server/http/handler";
import { getEnvironment } from "@/server/system/environment";

export const GET = apiRoute(async () => json(getEnvironment()));
