import { apiRoute, json } from "@/server/http/handler";
import { buildOpenApiDocument } from "@/server/http/openapi";
import { VERSION } from "@/server/system/environment";

export const GET = apiRoute(async () => json(buildOpenApiDocument(VERSION)));
