import { parseArgs } from "node:util";
import { startDouble } from "./double";

/**
 * Runs the WhatsApp Web double on its own, for a server or benchmark in another process:
 *   npx tsx e2e/support/whatsapp-web-double/cli.ts --port 8443 [--ref-interval-ms N] [--max-refs N] [--sync-delay-ms N] [--version V]
 * Drive it with client.ts (createDoubleClient) against the printed origin.
 */

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "ref-interval-ms": { type: "string", default: "0" },
    "max-refs": { type: "string" },
    "sync-delay-ms": { type: "string", default: "0" },
    version: { type: "string" },
  },
});

const double = await startDouble({
  port: toNumber("port", values.port),
  refIntervalMs: toNumber("ref-interval-ms", values["ref-interval-ms"]),
  maxRefs: values["max-refs"] === undefined ? undefined : toNumber("max-refs", values["max-refs"]),
  syncDelayMs: toNumber("sync-delay-ms", values["sync-delay-ms"]),
  version: values.version,
});

console.log(`WhatsApp Web double on ${double.origin} (control API: ${double.origin}/__double/sessions)`);
console.log("Chromium args:");
for (const arg of double.browserArgs) console.log(`  ${arg}`);
console.log(`JSON: ${JSON.stringify(double.browserArgs)}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void double.close().then(() => process.exit(0)));
}

function toNumber(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a whole number, got '${value}'`);
  return number;
}
