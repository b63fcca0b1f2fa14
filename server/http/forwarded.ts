import type { IncomingHttpHeaders, IncomingMessage, Server } from "node:http";
import { BlockList, isIP } from "node:net";

/**
 * Forwarded headers (`X-Forwarded-For`, `-Host`, `-Proto`, `-Port`, `X-Real-IP`, `Forwarded`) say
 * who the client is and which host it addressed; a client can write any of them itself. They are
 * trusted only when the direct peer is a configured proxy (SWITCHBOARD_TRUSTED_PROXIES), and this
 * module rewrites them once per request, before Next or Socket.IO see it, so everything downstream
 * (the login throttle's `clientAddress()`, the same-origin check's `X-Forwarded-Host`) can read them
 * as facts:
 *
 *   x-forwarded-for   the resolved client address, alone
 *   the others        removed unless the direct peer is a trusted proxy, kept as it sent them if it is
 */
const FORWARDED_HEADERS = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-real-ip", "forwarded"];

/** The parsed SWITCHBOARD_TRUSTED_PROXIES. */
export type TrustedProxies = BlockList;

/**
 * One SWITCHBOARD_TRUSTED_PROXIES entry: an IPv4 or IPv6 address, or a CIDR range (`10.0.0.0/8`,
 * `fd00::/8`, `::ffff:10.0.0.0/104`). Null when it is neither.
 */
export function parseProxyEntry(entry: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | null {
  const [address, prefixText, ...rest] = entry.trim().split("/");
  const version = isIP(address);
  if (!version || rest.length) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/**
 * The list to check peers against. Entries were validated at boot (server/env.ts); an invalid one
 * here is a programming error. BlockList matches IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as
 * a dual-stack socket reports IPv4 peers) against IPv4 ranges and the other way round.
 */
export function trustedProxyList(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseProxyEntry(entry);
    if (!parsed) throw new Error(`SWITCHBOARD_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/**
 * An address as a socket or a proxy writes it, in one spelling per address (so the login throttle
 * counts a client once): brackets and ports dropped (`[::1]:80`, `1.2.3.4:80`), IPv6 compressed and
 * lower-case, IPv4-mapped IPv6 as plain IPv4. Null when it is not an address (`unknown`, garbage).
 */
export function canonicalAddress(value: string): string | null {
  let address = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(":"));
  const version = isIP(address);
  if (version === 4) return address;
  if (version !== 6) return null;
  let compressed: string;
  try {
    compressed = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase(); // a zone index (`fe80::1%eth0`), which the URL parser refuses
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * Rewrites `request.headers` as described at the top and returns the client's address (null when
 * the socket has none, e.g. already closed). The client is found by walking `X-Forwarded-For` from
 * the right, starting at the direct peer, for as long as the hop is a trusted proxy: each proxy
 * appends the address it saw, so the first untrusted hop is the client, and entries further left
 * (which the client wrote) are never read. A hop that is not an address stops the walk at the
 * proxy that wrote it.
 */
export function normalizeForwardedHeaders(
  request: { headers: IncomingHttpHeaders; socket: { remoteAddress?: string } },
  trustedProxies: TrustedProxies,
): string | null {
  const { headers } = request;
  const peer = canonicalAddress(request.socket.remoteAddress ?? "");
  const trusted = (address: string) => trustedProxies.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");
  const fromProxy = peer !== null && trusted(peer);
  let client = peer;
  if (fromProxy) {
    const hops = String(headers["x-forwarded-for"] ?? "").split(",");
    for (let i = hops.length - 1; i >= 0 && client !== null && trusted(client); i--) {
      const hop = canonicalAddress(hops[i]);
      if (hop === null) break;
      client = hop;
    }
  } else {
    for (const name of FORWARDED_HEADERS) delete headers[name];
  }
  if (client === null) delete headers["x-forwarded-for"];
  else headers["x-forwarded-for"] = client;
  return client;
}

/**
 * Applies normalizeForwardedHeaders to every request and upgrade (Socket.IO and /ws) of `server`,
 * ahead of every other listener. Call it after Socket.IO is attached: engine.io takes over the
 * `request` listeners present at attach time and no longer passes its own requests to them.
 */
export function trustForwardedHeaders(server: Server, trustedProxies: readonly string[]): void {
  const list = trustedProxyList(trustedProxies);
  const normalize = (request: IncomingMessage) => void normalizeForwardedHeaders(request, list);
  server.prependListener("request", normalize);
  server.prependListener("upgrade", normalize);
}
