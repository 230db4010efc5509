// A real RFC 3161 Time-Stamping Authority for the tests: `openssl ts -reply` behind a loopback HTTP server, one per
// vitest run (started by vitest.config.ts, URL handed over as TSA_URL). Its key and certificate (extendedKeyUsage
// critical, timeStamping, as RFC 3161 §2.3 requires) are made at start in a temporary directory.
//   POST / (application/timestamp-query) → application/timestamp-reply
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueFromNewCa } from "../../scripts/lib/openssl-ca.ts";

const CONFIG = `
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = .
serial = ./serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

export async function startTestTsa(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "escra-tsa-"));
  writeFileSync(join(dir, "tsa.cnf"), CONFIG);
  writeFileSync(join(dir, "serial"), "01\n");
  issueFromNewCa(
    dir,
    { subject: "/CN=Escra test TSA root", days: 30, extensions: [] },
    {
      name: "tsa",
      subject: "/CN=Escra test TSA",
      days: 30,
      extensions: [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature",
        "extendedKeyUsage=critical,timeStamping",
      ],
    },
  );
  let seq = 0;
  // Replies are made one at a time: `openssl ts` increments the serial file.
  let queue = Promise.resolve();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      queue = queue.then(
        () =>
          new Promise<void>((resolve) => {
            const n = ++seq;
            writeFileSync(join(dir, `q${n}.tsq`), Buffer.concat(chunks));
            const args = [
              "ts",
              "-reply",
              "-config",
              "tsa.cnf",
              "-queryfile",
              `q${n}.tsq`,
              "-inkey",
              "tsa.key",
              "-signer",
              "tsa.pem",
              "-chain",
              "ca.pem",
              "-out",
              `r${n}.tsr`,
            ];
            execFile("openssl", args, { cwd: dir }, (error, _out, stderr) => {
              res.setHeader("connection", "close");
              if (error) {
                res.writeHead(500, { "content-type": "text/plain" }).end(stderr);
              } else {
                const reply = readFileSync(join(dir, `r${n}.tsr`));
                res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(reply);
              }
              resolve();
            });
          }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}
