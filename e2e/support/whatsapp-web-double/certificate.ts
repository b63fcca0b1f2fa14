import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const PEM_FILE = "whatsapp-web-double.pem";

/**
 * Returns one PEM holding the private key and a self-signed certificate for web.whatsapp.com, made
 * with the openssl CLI the first time and cached in certDir. Key and certificate share one file that
 * appears by rename, so parallel test processes never pair a key with another run's certificate.
 */
export async function loadCertificate(certDir: string): Promise<string> {
  const pemPath = join(certDir, PEM_FILE);
  const cached = await readFile(pemPath, "utf8").catch(() => null);
  if (cached) return cached;

  await mkdir(certDir, { recursive: true });
  const workDir = await mkdtemp(join(certDir, ".tmp-"));
  try {
    const keyPath = join(workDir, "key.pem");
    const certPath = join(workDir, "cert.pem");
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "3650",
      "-subj",
      "/CN=web.whatsapp.com",
      "-addext",
      "subjectAltName=DNS:web.whatsapp.com",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ]);
    const pem = (await readFile(keyPath, "utf8")) + (await readFile(certPath, "utf8"));
    const tmpPemPath = join(workDir, PEM_FILE);
    await writeFile(tmpPemPath, pem, { mode: 0o600 });
    await rename(tmpPemPath, pemPath);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return readFile(pemPath, "utf8");
}
