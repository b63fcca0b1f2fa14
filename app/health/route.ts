import { apiRoute, json } from "@/server/http/handler";
import { checkHealth } from "@/server/system/check-health";

export const GET = apiRoute(
  async () => {
    const health = await checkHealth();
    return json(health, health.status === "ok" ? 200 : 503);
  },
  { public: true },
);
