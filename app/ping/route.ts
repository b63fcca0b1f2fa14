import { apiRoute, json } from "@/server/http/handler";

export const GET = apiRoute(async () => json({ message: "pong" }), { public: true });
