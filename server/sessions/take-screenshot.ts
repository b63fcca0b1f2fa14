import { AppError } from "@/lib/errors";
import type { SessionsContext } from "./context";
import { getRunningEngine } from "./running-engine";

/** GET /api/screenshot?session=: a PNG of the session's browser page. */
export async function takeScreenshot(ctx: SessionsContext, name: string): Promise<Buffer> {
  const engine = await getRunningEngine(ctx, name);
  try {
    return await engine.screenshot();
  } catch (error) {
    throw new AppError("engine_error", `Could not take a screenshot: ${(error as Error).message}`);
  }
}
