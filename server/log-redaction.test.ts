import { describe, expect, it } from "vitest";
import { REDACTED, redactLogLine, registerLogSecret } from "./log-redaction";

const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 50, ...fields });

describe("redactLogLine", () => {
  it("hides the API key and other credentials in logged URLs", () => {
    const out = redactLogLine(
      line({ url: "http://127.0.0.1:3000/api/sessions?x-api-key=sb_SECRET123&all=true", other: "/x?token=abc#frag" }),
    );
    expect(out).not.toContain("sb_SECRET123");
    expect(out).not.toContain("abc#");
    expect(out).toContain(`x-api-key=${REDACTED}&all=true`);
    expect(out).toContain(`token=${REDACTED}#frag`);
  });

  it("matches parameter names in any case", () => {
    expect(redactLogLine(line({ url: "/api?X-Api-Key=k1k1k1k1" }))).not.toContain("k1k1k1k1");
  });

  it("hides the password of a URL's user info", () => {
    const out = redactLogLine(line({ proxy: "socks5://user:hunter2@proxy.local:1080" }));
    expect(out).toContain(`socks5://user:${REDACTED}@proxy.local:1080`);
  });

  it("hides credential headers however they were logged", () => {
    const out = redactLogLine(
      line({ headers: { "X-Api-Key": "key-value", cookie: 'a="b"; next-auth.session-token=tok', authorization: "Bearer x" } }),
    );
    expect(out).not.toMatch(/key-value|session-token=tok|Bearer x/);
    expect(JSON.parse(out).headers).toEqual({ "X-Api-Key": REDACTED, cookie: REDACTED, authorization: REDACTED });
  });

  it("hides a registered secret wherever it appears, error messages and stacks included", () => {
    registerLogSecret("a-registered-secret-value");
    const out = redactLogLine(
      line({ err: { message: "bad key a-registered-secret-value", stack: "Error: a-registered-secret-value\n at x" } }),
    );
    expect(out).not.toContain("a-registered-secret-value");
    expect(JSON.parse(out).err.message).toBe(`bad key ${REDACTED}`);
  });

  it("leaves ordinary lines alone and stays valid JSON", () => {
    const plain = line({ msg: "session started", url: "/api/sessions?all=true&metadata.key=v" });
    expect(redactLogLine(plain)).toBe(plain);
    registerLogSecret("short");
    expect(redactLogLine(line({ msg: "short" }))).toContain("short");
  });
});
