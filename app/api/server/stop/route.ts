import { ZServerStopRequestSchema } from "@/lib/server-control";
import { apiRoute, json, readBody } from "@/server/http/handler";
import { stopServer } from "@/server/system/server-control";

// 201, as WAHA (NestJS) answers a POST.
export const POST = apiRoute(async ({ request }) => json(stopServer(await readBody(request, ZServerStopRequestSchema)), 201));
