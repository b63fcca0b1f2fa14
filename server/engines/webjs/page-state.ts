import type wweb from "whatsapp-web.js";

type Page = NonNullable<wweb.Client["pupPage"]>;

/**
 * The one place that reads WhatsApp Web's own state inside the page, in a single evaluate. The
 * liveness probe calls it; whatever else the page knows and the API reports (version, restrictions,
 * presence) is to be read here too, in the same round trip.
 */
export interface PageState {
  /** `Socket.state`, what `client.getState()` returns (CONNECTED, OPENING, TIMEOUT, ...); null while the page has none. */
  state: string | null;
}

/** Rejects when the page cannot run it (closed, crashed, navigating); never answers while the page hangs. */
export function readPageState(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const loader = (window as unknown as Partial<WhatsAppWindow>).require;
    // Between a navigation and the page's own script, WhatsApp Web's modules do not exist yet.
    const state = typeof loader === "function" ? loader("WAWebSocketModel")?.Socket?.state : undefined;
    return { state: typeof state === "string" ? state : null };
  });
}

/** The page's module loader of WhatsApp Web, as far as this module reads it. */
interface WhatsAppWindow {
  require(module: "WAWebSocketModel"): { Socket?: { state?: unknown } } | undefined;
}
