import { AsyncLocalStorage } from "node:async_hooks";
import { randomFillSync } from "node:crypto";
import type { Principal } from "./keys/principals";

/**
 * What belongs to the HTTP request being served, wherever its work runs (AsyncLocalStorage): its W3C
 * trace context, which every log line of the request carries and which the webhook deliveries it causes
 * send on (docs/observability.md), and the work to run once its answer has gone out.
 *
 * Long-lived work started by a request (a session's browser, the webhook dispatcher's timers) runs
 * `untraced`, or everything that browser does for hours would count as part of that request.
 */

export interface TTraceContext {
  /** 32 lowercase hex digits: the whole trace, from the caller's traceparent or new. */
  traceId: string;
  /** 16 hex digits: this server's work on the request (the parent of what it sends on). */
  spanId: string;
  /** The caller's span, when the request came with a traceparent. */
  parentSpanId: string | null;
  /** 2 hex digits (01: sampled); kept from the caller, 01 for a new trace so receivers record it. */
  flags: string;
}

interface TRequestContext {
  trace: TTraceContext;
  afterResponse: (() => void)[];
  /** Cluster mode: the caller a forwarding worker vouched for in its signed hop header (session-router.ts). */
  forwardedCaller?: Principal;
}

const storage = new AsyncLocalStorage<TRequestContext>();

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * A `traceparent` header (W3C Trace Context, level 1), or null when it must be ignored: not the format,
 * version ff, an all-zero id, or version 00 with anything after the flags.
 */
export function parseTraceparent(header: string | string[] | undefined): { traceId: string; parentId: string; flags: string } | null {
  if (typeof header !== "string") return null;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return null;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return null;
  return { traceId: traceId!, parentId: parentId!, flags: flags! };
}

/** The trace of a request: continues the caller's when its traceparent is valid, starts one otherwise. */
export function startTrace(traceparent: string | string[] | undefined): TTraceContext {
  const parent = parseTraceparent(traceparent);
  return {
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    parentSpanId: parent?.parentId ?? null,
    flags: parent?.flags ?? "01",
  };
}

/** Random ids from a pool filled 4 KiB at a time: one call to the system's generator a request cost more than the rest. */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const hex = randomPool.toString("hex", randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

/** The traceparent this server sends on for `trace` (its own span as the parent). */
export function formatTraceparent(trace: TTraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/** Runs `handle` as the request with this trace; returns what to call once its answer has gone out. */
export function runInRequest<T>(trace: TTraceContext, handle: () => T): { result: T; responded: () => void } {
  const context: TRequestContext = { trace, afterResponse: [] };
  const result = storage.run(context, handle);
  const responded = () => {
    for (const hook of context.afterResponse.splice(0)) hook();
  };
  return { result, responded };
}

/** The trace of the request being served, or null outside one. */
export function currentTrace(): TTraceContext | null {
  return storage.getStore()?.trace ?? null;
}

/** The traceparent to send on for the request being served, or null outside one. */
export function currentTraceparent(): string | null {
  const trace = currentTrace();
  return trace && formatTraceparent(trace);
}

/** Fields every log line of a request carries (the names OpenTelemetry's log model gives them). */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const trace = currentTrace();
  return trace ? { trace_id: trace.traceId, span_id: trace.spanId } : {};
}

/** Only the session router, once a hop header's HMAC checks out: who the forwarded request acts as. */
export function setForwardedCaller(caller: Principal): void {
  const context = storage.getStore();
  if (context) context.forwardedCaller = caller;
}

/** The caller a forwarding worker vouched for, or null (not forwarded). */
export function forwardedCaller(): Principal | null {
  return storage.getStore()?.forwardedCaller ?? null;
}

/** Runs `run` outside any request: what it starts (timers, sockets, a browser) is not that request's. */
export function untraced<T>(run: () => T): T {
  return storage.exit(run);
}

/**
 * Runs `hook` once the answer to the request being served has gone out (or now, outside a request,
 * on the next turn of the event loop).
 */
export function afterResponse(hook: () => void): void {
  const context = storage.getStore();
  if (context) context.afterResponse.push(hook);
  else setImmediate(hook);
}

/** Binds `callback` to the request being served (an event listener otherwise runs outside it). */
export function bindToRequest<TArgs extends unknown[], TResult>(callback: (...args: TArgs) => TResult): (...args: TArgs) => TResult {
  return AsyncLocalStorage.bind(callback);
}
