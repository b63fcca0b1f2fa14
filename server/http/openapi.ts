import { z } from "zod";
import { ZMessageCappingSchema, ZReachoutTimelockSchema } from "@/lib/account-restrictions";
import { ZApiKeyListSchema, ZApiKeyRequestSchema, ZApiKeySchema, ZScopedApiKeyRequestSchema } from "@/lib/api-keys";
import { ZDrainResultSchema, ZWorkerListSchema } from "@/lib/cluster";
import { ZErrorBodySchema } from "@/lib/errors";
import { ZEnvironmentSchema } from "@/lib/event-envelope";
import { ZHealthSchema, ZPongSchema } from "@/lib/health";
import {
  ZServerEnvironmentQuerySchema,
  ZServerEnvironmentSchema,
  ZServerStatusSchema,
  ZServerStopRequestSchema,
  ZServerStopResponseSchema,
} from "@/lib/server-control";
import { ZSessionHistoryEntrySchema, ZSessionHistoryQuerySchema } from "@/lib/session-health";
import { ZSessionStatusSchema } from "@/lib/session-status";
import {
  TOTAL_COUNT_HEADER,
  ZBase64FileSchema,
  ZMeSchema,
  ZPairingCodeRequestSchema,
  ZPairingCodeSchema,
  ZQrQuerySchema,
  ZQrValueSchema,
  ZSessionCreateRequestSchema,
  ZSessionDtoSchema,
  ZSessionGetQuerySchema,
  ZSessionListQuerySchema,
  ZSessionLogoutRequestSchema,
  ZSessionResourceHistorySchema,
  ZSessionSchema,
  ZSessionStartRequestSchema,
  ZSessionStopRequestSchema,
  ZSessionUpdateRequestSchema,
} from "@/lib/session";
import { SECRET_PLACEHOLDER } from "@/lib/session-secrets";

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests.
 * Paths, methods and status codes follow WAHA's published spec for the sessions surface.
 */

type JsonSchema = Record<string, unknown>;
const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });
const idOf = (schema: z.ZodType): string => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error("schema used in the OpenAPI document has no meta id");
  return id;
};

const sessionParam = { name: "session", in: "path", required: true, schema: { type: "string", default: "default" } };
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ref(idOf(ZErrorBodySchema)) } },
});
const jsonBody = (schema: z.ZodType) => ({
  required: true,
  content: { "application/json": { schema: ref(idOf(schema)) } },
});
const jsonResponse = (description: string, schema: JsonSchema) => ({
  description,
  content: { "application/json": { schema } },
});
const emptyResponse = (description: string) => ({ description });
const imageResponses = {
  description: "PNG image, or base64 JSON when `Accept: application/json`",
  content: {
    "image/png": { schema: { type: "string", format: "binary" } },
    "application/json": { schema: ref(idOf(ZBase64FileSchema)) },
  },
};
const common = { "400": errorResponse("Invalid input"), "401": errorResponse("Missing or wrong API key, or a deactivated or deleted one") };
const sessionAction = (summary: string, description: string) => ({
  post: {
    tags: ["Sessions"],
    summary,
    description,
    parameters: [sessionParam],
    responses: { "201": jsonResponse("The session", ref(idOf(ZSessionSchema))), "404": errorResponse("Session not found"), ...common },
  },
});

const forbidden = errorResponse("The key may not use this route (admins only)");
const keyIdParam = { name: "id", in: "path", required: true, schema: { type: "string" } };
const scopedKeyRoute = (summary: string) => ({
  post: {
    tags: ["Api Keys"],
    summary,
    description: "The same key on every call for a session (derived, though only its hash is stored).",
    requestBody: jsonBody(ZScopedApiKeyRequestSchema),
    responses: { "201": jsonResponse("The key, whole", ref(idOf(ZApiKeySchema))), "403": forbidden, ...common },
  },
});

/** GET of a restriction of a WORKING session, read fresh from WhatsApp Web. */
const restrictionRoute = (summary: string, description: string, schema: z.ZodType) => ({
  get: {
    tags: ["Sessions"],
    summary,
    description,
    parameters: [sessionParam],
    responses: {
      "200": jsonResponse("The state as WhatsApp reports it now", ref(idOf(schema))),
      "404": errorResponse("Session not found, or not running"),
      "422": errorResponse("The session is not WORKING (`status` and `expected` say so), or WhatsApp Web did not answer"),
      ...common,
    },
  },
});

/** The query parameters of a query schema, all optional; `except` names those documented by hand. */
function queryParameters(querySchema: z.ZodType, except: string[] = []): JsonSchema[] {
  const schema = z.toJSONSchema(querySchema, { io: "input", unrepresentable: "any" }) as {
    properties: Record<string, JsonSchema>;
  };
  return Object.entries(schema.properties)
    .filter(([name]) => !except.includes(name))
    .map(([name, property]) => ({ name, in: "query", required: false, schema: property, description: property.description }));
}

function listParameters(): JsonSchema[] {
  return queryParameters(ZSessionListQuerySchema, ["metadata"]).concat({
    name: "metadata.<key>",
    in: "query",
    required: false,
    schema: { type: "string" },
    description: "Exact metadata match, e.g. ?metadata.user.id=123 (repeatable, AND-ed)",
  });
}

export function buildOpenApiDocument(version: string): JsonSchema {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };

  return {
    openapi: "3.1.0",
    info: {
      title: "Switchboard",
      version,
      description: "Self-hosted WhatsApp HTTP API, compatible with WAHA's sessions API.",
    },
    security: [{ api_key: [] }],
    tags: [{ name: "Sessions" }, { name: "Pairing" }, { name: "Observability" }, { name: "Api Keys" }],
    paths: {
      "/api/sessions": {
        get: {
          tags: ["Sessions"],
          summary: "List sessions",
          description: `Running sessions; \`all=true\` includes STOPPED ones. Filters run on the server; the total count is in \`${TOTAL_COUNT_HEADER}\`.`,
          parameters: listParameters(),
          responses: {
            "200": {
              ...jsonResponse("Sessions", { type: "array", items: ref(idOf(ZSessionSchema)) }),
              headers: { [TOTAL_COUNT_HEADER]: { schema: { type: "integer" }, description: "Matches before pagination" } },
            },
            ...common,
          },
        },
        post: {
          tags: ["Sessions"],
          summary: "Create a session",
          requestBody: jsonBody(ZSessionCreateRequestSchema),
          responses: {
            "201": jsonResponse("Created", ref(idOf(ZSessionSchema))),
            "422": errorResponse("A session with that name exists"),
            ...common,
          },
        },
      },
      "/api/sessions/{session}": {
        get: {
          tags: ["Sessions"],
          summary: "Get a session",
          description: `Config secrets (webhook HMAC keys, custom header values, the proxy password) read \`"${SECRET_PLACEHOLDER}"\` unless \`revealSecrets=true\`.`,
          parameters: [sessionParam, ...queryParameters(ZSessionGetQuerySchema)],
          responses: {
            "200": jsonResponse("The session", ref(idOf(ZSessionSchema))),
            "404": errorResponse("Session not found"),
            ...common,
          },
        },
        put: {
          tags: ["Sessions"],
          summary: "Replace a session's config",
          description: `A running session is restarted with the new config. A secret sent as \`"${SECRET_PLACEHOLDER}"\` keeps its stored value; with none stored it is a 400.`,
          parameters: [sessionParam],
          requestBody: jsonBody(ZSessionUpdateRequestSchema),
          responses: {
            "200": jsonResponse("The session", ref(idOf(ZSessionSchema))),
            "404": errorResponse("Session not found"),
            ...common,
          },
        },
        delete: {
          tags: ["Sessions"],
          summary: "Delete a session",
          description: "Stops it, logs out, removes its auth data and config. Idempotent.",
          parameters: [sessionParam],
          responses: { "200": emptyResponse("Deleted (empty body)"), ...common },
        },
      },
      "/api/sessions/{session}/me": {
        get: {
          tags: ["Sessions"],
          summary: "The session's account",
          parameters: [sessionParam],
          responses: {
            "200": jsonResponse("The account; empty body when stopped or not logged in", ref(idOf(ZMeSchema))),
            "404": errorResponse("Session not found"),
            ...common,
          },
        },
      },
      "/api/sessions/{session}/timelock": restrictionRoute(
        "Fetch the account's reachout timelock",
        "A fresh reachout timelock state from WhatsApp (WhatsApp Web fetches it, then it is read from the page): the restriction behind `server returned error 463` when messaging new contacts. The same value is in `me.reachoutTimelock`, and changes re-issue `session.status` WORKING with `payload.data`. Do not restart or log out: the session stays WORKING and the restriction ends on its own.",
        ZReachoutTimelockSchema,
      ),
      "/api/sessions/{session}/capping": restrictionRoute(
        "Fetch the account's new-chat message capping (per-cycle quota)",
        "A fresh new-chat message capping state from WhatsApp (WhatsApp Web fetches it, then it is read from the page). The same value is in `me.messageCapping` once a warning or a cap was seen, and changes re-issue `session.status` WORKING with `payload.data`.",
        ZMessageCappingSchema,
      ),
      "/api/sessions/{session}/history": {
        get: {
          tags: ["Sessions"],
          summary: "The session's status history",
          description:
            "Stored status changes with their reasons, failures in a row and WhatsApp Web's disconnect reasons, newest first; kept across server restarts (the newest `SWITCHBOARD_HISTORY_ROWS` per session).",
          parameters: [sessionParam, ...queryParameters(ZSessionHistoryQuerySchema)],
          responses: {
            "200": jsonResponse("Status changes, newest first", { type: "array", items: ref(idOf(ZSessionHistoryEntrySchema)) }),
            "404": errorResponse("Session not found"),
            ...common,
          },
        },
      },
      "/api/sessions/{session}/resources": {
        get: {
          tags: ["Sessions"],
          summary: "The session's browser memory, CPU and event rate over the last hour",
          description:
            "Samples of the session's browser (memory summed over its processes, CPU, library events per minute), oldest first, one every `SWITCHBOARD_RESOURCES_INTERVAL_SECONDS`; kept for an hour in the memory of the worker that runs the session (in cluster mode the request is answered by it). docs/observability.md.",
          parameters: [sessionParam],
          responses: {
            "200": jsonResponse("The samples of the last hour", ref(idOf(ZSessionResourceHistorySchema))),
            "404": errorResponse("Session not found"),
            ...common,
          },
        },
      },
      "/api/sessions/{session}/profile-picture": {
        get: {
          tags: ["Sessions"],
          summary: "The account's profile picture",
          description:
            "The logged-in account's profile picture, fetched by Switchboard from WhatsApp and kept 10 minutes, so a page can show it without loading another site's image. 404 when the session is not logged in or the account has none.",
          parameters: [sessionParam],
          responses: { "200": imageResponses, "404": errorResponse("Not logged in, or no picture"), ...common },
        },
      },
      "/api/sessions/{session}/start": sessionAction("Start a session", "Idempotent."),
      "/api/sessions/{session}/stop": sessionAction("Stop a session", "Idempotent; does not log out."),
      "/api/sessions/{session}/logout": sessionAction("Log out", "Removes auth data, keeps the config, starts again if it was running."),
      "/api/sessions/{session}/restart": sessionAction("Restart a session", "Stops it if running, then starts it."),
      "/api/sessions/start": {
        post: {
          tags: ["Sessions"],
          deprecated: true,
          summary: "Create or update, then start",
          requestBody: jsonBody(ZSessionStartRequestSchema),
          responses: {
            "201": jsonResponse("The session", ref(idOf(ZSessionDtoSchema))),
            "422": errorResponse("Already started"),
            ...common,
          },
        },
      },
      "/api/sessions/stop": {
        post: {
          tags: ["Sessions"],
          deprecated: true,
          summary: "Stop (and with logout: true, delete)",
          requestBody: jsonBody(ZSessionStopRequestSchema),
          responses: { "201": emptyResponse("Done"), ...common },
        },
      },
      "/api/sessions/logout": {
        post: {
          tags: ["Sessions"],
          deprecated: true,
          summary: "Log out and delete",
          requestBody: jsonBody(ZSessionLogoutRequestSchema),
          responses: { "201": emptyResponse("Done"), ...common },
        },
      },
      "/api/{session}/auth/qr": {
        get: {
          tags: ["Pairing"],
          summary: "The QR to scan",
          description:
            "Binary PNG by default; base64 JSON with `Accept: application/json`; `format=raw` gives the value to render yourself.",
          parameters: [sessionParam, ...queryParameters(ZQrQuerySchema)],
          responses: {
            "200": {
              ...imageResponses,
              content: {
                ...imageResponses.content,
                "application/json": { schema: { oneOf: [ref(idOf(ZBase64FileSchema)), ref(idOf(ZQrValueSchema))] } },
              },
            },
            "422": errorResponse("Session missing or not waiting for a QR scan"),
            ...common,
          },
        },
      },
      "/api/{session}/auth/request-code": {
        post: {
          tags: ["Pairing"],
          summary: "Request a pairing code",
          parameters: [sessionParam],
          requestBody: jsonBody(ZPairingCodeRequestSchema),
          responses: {
            "201": jsonResponse("The code to enter on the phone", ref(idOf(ZPairingCodeSchema))),
            "404": errorResponse("Session not running"),
            ...common,
          },
        },
      },
      "/api/screenshot": {
        get: {
          tags: ["Pairing"],
          summary: "Screenshot of the session's browser",
          parameters: [{ name: "session", in: "query", required: true, schema: { type: "string", default: "default" } }],
          responses: { "200": imageResponses, "404": errorResponse("Session not running"), ...common },
        },
      },
      "/ping": {
        get: {
          tags: ["Observability"],
          summary: "Liveness",
          security: [],
          responses: { "200": jsonResponse("pong", ref(idOf(ZPongSchema))) },
        },
      },
      "/health": {
        get: {
          tags: ["Observability"],
          summary: "Health, including database reachability",
          security: [],
          responses: {
            "200": jsonResponse("Healthy", ref(idOf(ZHealthSchema))),
            "503": jsonResponse("Unhealthy", ref(idOf(ZHealthSchema))),
          },
        },
      },
      "/api/server/version": {
        get: {
          tags: ["Observability"],
          summary: "Version",
          responses: { "200": jsonResponse("Version", ref(idOf(ZEnvironmentSchema))), ...common },
        },
      },
      "/api/server/status": {
        get: {
          tags: ["Observability"],
          summary: "The server's status",
          description: "When this server process started, how long it has run, and which worker it is.",
          responses: { "200": jsonResponse("Status", ref(idOf(ZServerStatusSchema))), ...common },
        },
      },
      "/api/server/environment": {
        get: {
          tags: ["Observability"],
          summary: "The server's settings",
          description:
            "Each setting set in the environment with its effective value; `all=true` adds the ones left at their default. Secrets show only as `[redacted]`, URLs lose their credentials, a webhook URL all but its origin; no other variable of the process is listed.",
          parameters: queryParameters(ZServerEnvironmentQuerySchema),
          responses: { "200": jsonResponse("Settings", ref(idOf(ZServerEnvironmentSchema))), ...common },
        },
      },
      "/api/server/stop": {
        post: {
          tags: ["Observability"],
          summary: "Stop (and restart) the server",
          description:
            "Answers, then stops the process: gracefully as on SIGTERM (exit code 0), or at once with `force` (exit code 1). A service manager or Docker's restart policy starts it again (systemd: `Restart=always`).",
          requestBody: jsonBody(ZServerStopRequestSchema),
          responses: { "201": jsonResponse("Stopping", ref(idOf(ZServerStopResponseSchema))), ...common },
        },
      },
      "/api/server/workers": {
        get: {
          tags: ["Observability"],
          summary: "The cluster's workers",
          description: "Every worker with its state, session count, capacity and lease; in the embedded mode, this server alone.",
          responses: { "200": jsonResponse("Workers", ref(idOf(ZWorkerListSchema))), ...common },
        },
      },
      "/api/server/drain": {
        post: {
          tags: ["Observability"],
          summary: "Drain this worker",
          description:
            "Cluster mode: this worker stops taking sessions, closes each of its browsers and hands the session to another worker. SIGTERM does the same before the process exits.",
          responses: { "200": jsonResponse("Drained", ref(idOf(ZDrainResultSchema))), ...common },
        },
      },
      "/api/keys": {
        post: {
          tags: ["Api Keys"],
          summary: "Create a new API key",
          description: "The answer carries the whole key, the only time it is shown: only a hash is stored (docs/api.md).",
          requestBody: jsonBody(ZApiKeyRequestSchema),
          responses: { "201": jsonResponse("The key, whole", ref(idOf(ZApiKeySchema))), "403": forbidden, ...common },
        },
        get: {
          tags: ["Api Keys"],
          summary: "Get all API keys",
          description: "Every key, masked; WAHA_API_KEY (the root key) is not listed.",
          responses: { "200": jsonResponse("The keys, masked", ref(idOf(ZApiKeyListSchema))), "403": forbidden, ...common },
        },
      },
      "/api/keys/{id}": {
        put: {
          tags: ["Api Keys"],
          summary: "Update an API key",
          parameters: [keyIdParam],
          requestBody: jsonBody(ZApiKeyRequestSchema),
          responses: {
            "200": jsonResponse("The key, masked", ref(idOf(ZApiKeySchema))),
            "403": errorResponse("Not an admin, or the root key"),
            "404": errorResponse("Key not found"),
            ...common,
          },
        },
        delete: {
          tags: ["Api Keys"],
          summary: "Delete an API key",
          parameters: [keyIdParam],
          responses: {
            "200": emptyResponse("Deleted"),
            "403": errorResponse("Not an admin, or the root key"),
            "404": errorResponse("Key not found"),
            ...common,
          },
        },
      },
      "/api/keys/control": scopedKeyRoute("Create or get a control-only API key for a session"),
      "/api/keys/media": scopedKeyRoute("Create or get a media-download-only API key for a session"),
      "/api/version": {
        get: {
          tags: ["Observability"],
          deprecated: true,
          summary: "Version (use /api/server/version)",
          responses: { "200": jsonResponse("Version", ref(idOf(ZEnvironmentSchema))), ...common },
        },
      },
    },
    components: {
      securitySchemes: { api_key: { type: "apiKey", in: "header", name: "X-Api-Key" } },
      schemas: {
        ...schemas,
        SessionStatus: z.toJSONSchema(ZSessionStatusSchema),
      },
    },
  };
}
