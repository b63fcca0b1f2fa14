import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../env";
import { canonicalAddress, normalizeForwardedHeaders, parseProxyEntry, trustedProxyList } from "./forwarded";

function normalize(remoteAddress: string | undefined, headers: IncomingHttpHeaders, trusted: string[] = []) {
  const request = { headers: { ...headers }, socket: { remoteAddress } };
  const client = normalizeForwardedHeaders(request, trustedProxyList(trusted));
  return { client, headers: request.headers };
}

const forged = {
  host: "127.0.0.1:3000",
  "x-forwarded-for": "6.6.6.6, 7.7.7.7",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
  "x-forwarded-port": "443",
  "x-real-ip": "8.8.8.8",
  forwarded: "for=9.9.9.9;host=evil.example",
};

describe("normalizeForwardedHeaders", () => {
  it("with no trusted proxy, the socket's address is the client and every forwarded header a client wrote is dropped", () => {
    const { client, headers } = normalize("203.0.113.9", forged);
    expect(client).toBe("203.0.113.9");
    expect(headers).toEqual({ host: "127.0.0.1:3000", "x-forwarded-for": "203.0.113.9" });
  });

  it("ignores the headers of a peer that is not in the list, even when a list is configured", () => {
    const { client, headers } = normalize("203.0.113.9", forged, ["10.0.0.0/8"]);
    expect(client).toBe("203.0.113.9");
    expect(headers["x-forwarded-host"]).toBeUndefined();
  });

  it("behind a trusted proxy, takes the address the proxy appended and keeps its other headers", () => {
    const { client, headers } = normalize("10.0.0.2", forged, ["10.0.0.0/8"]);
    expect(client).toBe("7.7.7.7");
    expect(headers["x-forwarded-for"]).toBe("7.7.7.7");
    expect(headers["x-forwarded-host"]).toBe("evil.example");
    expect(headers["x-forwarded-proto"]).toBe("https");
    expect(headers.forwarded).toBe(forged.forwarded);
  });

  it("walks right to left through a chain of trusted proxies and stops at the first untrusted hop", () => {
    const headers = { "x-forwarded-for": "1.1.1.1, 203.0.113.7, 10.0.0.9, 192.168.1.4" };
    expect(normalize("10.0.0.2", headers, ["10.0.0.0/8", "192.168.0.0/16"]).client).toBe("203.0.113.7");
    // Only the nearest proxy trusted: the hop it appended is the client.
    expect(normalize("10.0.0.2", headers, ["10.0.0.2"]).client).toBe("192.168.1.4");
    // Every hop trusted: the leftmost is all there is.
    expect(normalize("10.0.0.2", headers, ["0.0.0.0/0"]).client).toBe("1.1.1.1");
  });

  it("a trusted proxy that sent no X-Forwarded-For, or garbage, is itself the client", () => {
    expect(normalize("10.0.0.2", {}, ["10.0.0.0/8"]).client).toBe("10.0.0.2");
    expect(normalize("10.0.0.2", { "x-forwarded-for": "" }, ["10.0.0.0/8"]).client).toBe("10.0.0.2");
    expect(normalize("10.0.0.2", { "x-forwarded-for": "1.1.1.1, unknown" }, ["10.0.0.0/8"]).client).toBe("10.0.0.2");
  });

  it("handles IPv6 peers and IPv4-mapped IPv6 on either side", () => {
    expect(normalize("::ffff:10.0.0.2", { "x-forwarded-for": "203.0.113.7" }, ["10.0.0.0/8"]).client).toBe("203.0.113.7");
    expect(normalize("10.0.0.2", { "x-forwarded-for": "203.0.113.7" }, ["::ffff:10.0.0.0/104"]).client).toBe("203.0.113.7");
    expect(normalize("::1", { "x-forwarded-for": "2001:DB8:0:0::7" }, ["::1"]).client).toBe("2001:db8::7");
    expect(normalize("fd00::1:2", { "x-forwarded-for": "[2001:db8::7]:5123" }, ["fd00::/8"]).client).toBe("2001:db8::7");
    expect(normalize("::ffff:203.0.113.9", forged, ["::1"]).headers["x-forwarded-for"]).toBe("203.0.113.9");
  });

  it("drops X-Forwarded-For when the socket has no address (already closed)", () => {
    const { client, headers } = normalize(undefined, forged, ["10.0.0.0/8"]);
    expect(client).toBeNull();
    expect(headers["x-forwarded-for"]).toBeUndefined();
  });
});

describe("canonicalAddress", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    [" 10.0.0.1:8080", "10.0.0.1"],
    ["::FFFF:7F00:1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["[::1]:443", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["unknown", null],
    ["10.0.0.01", null],
    ["", null],
  ])("%j -> %j", (input, expected) => {
    expect(canonicalAddress(input)).toBe(expected);
  });
});

describe("SWITCHBOARD_TRUSTED_PROXIES", () => {
  it.each(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "::ffff:10.0.0.0/104", "0.0.0.0/0"])("accepts %j", (entry) => {
    expect(parseProxyEntry(entry)).not.toBeNull();
  });

  it.each(["localhost", "10.0.0.0/33", "::1/129", "10.0.0.0/8/8", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/0x8", "10.0.0.256"])(
    "refuses %j",
    (entry) => {
      expect(parseProxyEntry(entry)).toBeNull();
    },
  );

  it("is empty by default, and an invalid entry stops the boot naming the variable", () => {
    expect(parseEnv({ NODE_ENV: "test" }).trustedProxies).toEqual([]);
    expect(parseEnv({ NODE_ENV: "test", SWITCHBOARD_TRUSTED_PROXIES: " 127.0.0.1, ::1 ,10.0.0.0/8" }).trustedProxies).toEqual([
      "127.0.0.1",
      "::1",
      "10.0.0.0/8",
    ]);
    expect(() => parseEnv({ NODE_ENV: "test", SWITCHBOARD_TRUSTED_PROXIES: "127.0.0.1,proxy.local" })).toThrow(
      /SWITCHBOARD_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range/,
    );
  });
});
