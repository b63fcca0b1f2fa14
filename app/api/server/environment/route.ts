import { ZServerEnvironmentQuerySchema } from "@/lib/server-control";
import { apiRoute, json, readQuery } from "@/server/http/handler";
import { serverEnvironment } from "@/server/system/server-control";

export const GET = apiRoute(async ({ request }) => json(serverEnvironment(readQuery(request, ZServerEnvironmentQuerySchema))));
