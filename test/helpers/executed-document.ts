// The executed PDF once its execution record exists. Its render job (or a first request) makes the record when the
// seal is final; a Time-Stamping Authority slow under load leaves a seal without a timestamp, which the next request
// or the job re-seals, so this polls for the visible effect (a non-empty X-Execution-Hash) instead of assuming it.
import { fetchWorker } from "./http";

export interface RecordedExecutedDocument {
  pdf: Uint8Array;
  /** SHA-256 of `pdf`, lowercase hex (X-Document-SHA256). */
  sha256: string;
  /** The execution record's hash, 0x-prefixed (X-Execution-Hash). */
  executionHash: string;
  seal: string;
}

export async function executedWithRecord(
  contractId: string,
  auth: { token?: string; signingToken?: string },
  timeoutMs = 60_000,
): Promise<RecordedExecutedDocument> {
  const headers: Record<string, string> = auth.token
    ? { authorization: `Bearer ${auth.token}` }
    : { "x-signing-token": auth.signingToken ?? "" };
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetchWorker(`/api/v1/contracts/${contractId}/executed-document`, { headers });
    if (res.status !== 200) throw new Error(`executed-document answered ${res.status}`);
    const pdf = new Uint8Array(await res.arrayBuffer());
    const executionHash = res.headers.get("x-execution-hash") ?? "";
    if (executionHash) {
      return {
        pdf,
        sha256: res.headers.get("x-document-sha256")!,
        executionHash,
        seal: res.headers.get("x-document-seal")!,
      };
    }
    if (Date.now() > until) throw new Error("the execution record was not made in time");
    await new Promise((r) => setTimeout(r, 250));
  }
}
