import type { TPong } from "@/lib/health";
import { apiRoute, json } from "@/server/http/handler";

export const GET = apiRoute(async () => json({ message: "pong" } satisfies TPong), { public: true });
