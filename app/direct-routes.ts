import type { DirectRoute } from "@/server/http/direct-routes";
import * as sessionAuthQr from "./api/[session]/auth/qr/route";
import * as sessionAuthRequestCode from "./api/[session]/auth/request-code/route";
import * as keysId from "./api/keys/[id]/route";
import * as keysControl from "./api/keys/control/route";
import * as keysMedia from "./api/keys/media/route";
import * as keys from "./api/keys/route";
import * as openapiJson from "./api/openapi.json/route";
import * as screenshot from "./api/screenshot/route";
import * as serverDrain from "./api/server/drain/route";
import * as serverEnvironment from "./api/server/environment/route";
import * as serverStatus from "./api/server/status/route";
import * as serverStop from "./api/server/stop/route";
import * as serverVersion from "./api/server/version/route";
import * as serverWorkers from "./api/server/workers/route";
import * as sessionsSessionCapping from "./api/sessions/[session]/capping/route";
import * as sessionsSessionHistory from "./api/sessions/[session]/history/route";
import * as sessionsSessionResources from "./api/sessions/[session]/resources/route";
import * as sessionsSessionLogout from "./api/sessions/[session]/logout/route";
import * as sessionsSessionMe from "./api/sessions/[session]/me/route";
import * as sessionsSessionProfilePicture from "./api/sessions/[session]/profile-picture/route";
import * as sessionsSessionRestart from "./api/sessions/[session]/restart/route";
import * as sessionsSession from "./api/sessions/[session]/route";
import * as sessionsSessionStart from "./api/sessions/[session]/start/route";
import * as sessionsSessionStop from "./api/sessions/[session]/stop/route";
import * as sessionsSessionTimelock from "./api/sessions/[session]/timelock/route";
import * as sessionsSessionWebhooksDeliveriesIdRedeliver from "./api/sessions/[session]/webhooks/deliveries/[id]/redeliver/route";
import * as sessionsSessionWebhooksDeliveriesId from "./api/sessions/[session]/webhooks/deliveries/[id]/route";
import * as sessionsSessionWebhooksDeliveries from "./api/sessions/[session]/webhooks/deliveries/route";
import * as sessionsSessionWebhooksTest from "./api/sessions/[session]/webhooks/test/route";
import * as sessionsLogout from "./api/sessions/logout/route";
import * as sessions from "./api/sessions/route";
import * as sessionsStart from "./api/sessions/start/route";
import * as sessionsStop from "./api/sessions/stop/route";
import * as version from "./api/version/route";
import * as health from "./health/route";
import * as ping from "./ping/route";

/**
 * Every route handler the custom server calls directly (server/http/direct-routes.ts), by URL pattern.
 * The dashboard's pages and /docs stay on Next's router; next-auth is listed to keep its paths there.
 * direct-routes.test.ts checks this list against the route.ts files under app/.
 */
export const DIRECT_ROUTES: readonly DirectRoute[] = [
  { pattern: "/api/[session]/auth/qr", module: sessionAuthQr },
  { pattern: "/api/[session]/auth/request-code", module: sessionAuthRequestCode },
  { pattern: "/api/auth/[...nextauth]", module: "next" },
  { pattern: "/api/keys", module: keys },
  { pattern: "/api/keys/[id]", module: keysId },
  { pattern: "/api/keys/control", module: keysControl },
  { pattern: "/api/keys/media", module: keysMedia },
  { pattern: "/api/openapi.json", module: openapiJson },
  { pattern: "/api/screenshot", module: screenshot },
  { pattern: "/api/server/drain", module: serverDrain },
  { pattern: "/api/server/environment", module: serverEnvironment },
  { pattern: "/api/server/status", module: serverStatus },
  { pattern: "/api/server/stop", module: serverStop },
  { pattern: "/api/server/version", module: serverVersion },
  { pattern: "/api/server/workers", module: serverWorkers },
  { pattern: "/api/sessions/[session]/capping", module: sessionsSessionCapping },
  { pattern: "/api/sessions/[session]/history", module: sessionsSessionHistory },
  { pattern: "/api/sessions/[session]/logout", module: sessionsSessionLogout },
  { pattern: "/api/sessions/[session]/me", module: sessionsSessionMe },
  { pattern: "/api/sessions/[session]/profile-picture", module: sessionsSessionProfilePicture },
  { pattern: "/api/sessions/[session]/resources", module: sessionsSessionResources },
  { pattern: "/api/sessions/[session]/restart", module: sessionsSessionRestart },
  { pattern: "/api/sessions/[session]", module: sessionsSession },
  { pattern: "/api/sessions/[session]/start", module: sessionsSessionStart },
  { pattern: "/api/sessions/[session]/stop", module: sessionsSessionStop },
  { pattern: "/api/sessions/[session]/timelock", module: sessionsSessionTimelock },
  { pattern: "/api/sessions/[session]/webhooks/deliveries/[id]/redeliver", module: sessionsSessionWebhooksDeliveriesIdRedeliver },
  { pattern: "/api/sessions/[session]/webhooks/deliveries/[id]", module: sessionsSessionWebhooksDeliveriesId },
  { pattern: "/api/sessions/[session]/webhooks/deliveries", module: sessionsSessionWebhooksDeliveries },
  { pattern: "/api/sessions/[session]/webhooks/test", module: sessionsSessionWebhooksTest },
  { pattern: "/api/sessions/logout", module: sessionsLogout },
  { pattern: "/api/sessions", module: sessions },
  { pattern: "/api/sessions/start", module: sessionsStart },
  { pattern: "/api/sessions/stop", module: sessionsStop },
  { pattern: "/api/version", module: version },
  { pattern: "/health", module: health },
  { pattern: "/ping", module: ping },
];
