// A throwaway certificate authority made with the `openssl` command line: a self-signed root and one certificate
// it issues. The development sealing identity (dev-secrets.ts) and the tests' time-stamping authority
// (test/node/tsa.ts) are both made this way; only their names, lifetimes and extensions differ.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Runs `openssl` in `dir`; its stderr is kept for the error message, its stdout discarded. */
export function opensslIn(dir: string) {
  return (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Writes, in `dir`: `ca.key` + `ca.pem` (the root: RSA-2048, SHA-256, basicConstraints critical CA:TRUE plus
 * `ca.extensions`) and `<name>.key` + `<name>.pem` (an RSA-2048 certificate the root signs with SHA-256, carrying
 * exactly `leaf.extensions`, as openssl's `-extfile` lines).
 * @param ca.subject, leaf.subject openssl `-subj` strings (`/CN=…/O=…`); days: each certificate's lifetime
 * @throws the openssl error (e.g. ENOENT when openssl is not installed)
 */
export function issueFromNewCa(
  dir: string,
  ca: { subject: string; days: number; extensions: string[] },
  leaf: { name: string; subject: string; days: number; extensions: string[] },
): void {
  const ssl = opensslIn(dir);
  const caExtensions = ["basicConstraints=critical,CA:TRUE", ...ca.extensions].flatMap((ext) => ["-addext", ext]);
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-sha256",
    "-days",
    String(ca.days),
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-subj",
    ca.subject,
    ...caExtensions,
  );
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    `${leaf.name}.key`,
    "-out",
    `${leaf.name}.csr`,
    "-subj",
    leaf.subject,
  );
  writeFileSync(join(dir, `${leaf.name}.ext`), `${leaf.extensions.join("\n")}\n`);
  ssl(
    "x509",
    "-req",
    "-in",
    `${leaf.name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-sha256",
    "-days",
    String(leaf.days),
    "-extfile",
    `${leaf.name}.ext`,
    "-out",
    `${leaf.name}.pem`,
  );
}
