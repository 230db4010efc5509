// Document rendering has its own queue (escra-documents, binding DOCUMENT_JOBS): the executed PDF's job runs there,
// never on escra-jobs where the emails wait, and its dead letters are kept and replayed to that queue.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { queueMessage } from "../../src/lib/queue-messages";
import { EXECUTED_DOCUMENT_JOB } from "../../src/jobs/executed-document";
import { executedWithRecord } from "../helpers/executed-document";
import { resendDeadLetter } from "../../src/jobs/dead-letter-store";
import { deliver } from "./queue-harness";

let owner: Actor;

async function activeContract(): Promise<string> {
  let signer: Actor;
  [owner, signer] = await Promise.all([actor(), actor()]);
  const created = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Rendered apart", type: "services", body: "Terms.", signers: [{ email: signer.email, name: "S" }] },
  });
  const id = created.body.data.id as string;
  expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
  const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
    token: signer.token,
    body: { signature: { type: "typed", value: "S" }, consent: true },
  });
  expect(signed.body.data.status).toBe("active");
  return id;
}

const executionRecords = (id: string) =>
  env.DB.prepare(
    "SELECT hash, executed_document_hash AS executed FROM anchor_records WHERE contract_id = ? AND kind = ?",
  )
    .bind(id, "execution")
    .all<{ hash: string; executed: string }>();

describe("escra-documents queue", () => {
  it("runs the executed-document job: acked once the execution record over the executed PDF exists", async () => {
    const id = await activeContract();
    const message = queueMessage("documents", EXECUTED_DOCUMENT_JOB, `msg_exec_test_${id}`, { contractId: id });
    expect(message.origin).toBe("documents");
    const res = await deliver("escra-documents", message);
    const recorded = (await executionRecords(id)).results.length > 0;
    if (recorded) {
      expect(res.result.explicitAcks).toEqual([res.messageId]);
    } else {
      // The TSA did not answer in time (a loaded machine): sealed without a timestamp, retried later, no record yet.
      expect(res.result.retryMessages.map((m) => m.msgId)).toEqual([res.messageId]);
      await executedWithRecord(id, { token: owner.token });
    }
    // Whichever ran first (this delivery, the activation's own job, a reader), exactly one record, over the file.
    const { results } = await executionRecords(id);
    expect(results).toHaveLength(1);
    const stored = await env.DOCUMENTS.head(`contracts/${id}/executed-${results[0]!.executed.slice(2)}.pdf`);
    expect(stored?.customMetadata?.sha256).toBe(results[0]!.executed.slice(2));
  });

  it("keeps a dead-lettered render as coming from escra-documents", async () => {
    const body = queueMessage("documents", EXECUTED_DOCUMENT_JOB, "msg_exec_dead_1", {
      contractId: "ctr_00000000000000000001",
    });
    await deliver("escra-dead-letters", body, { messageId: "dlq-doc-1" });
    const row = await env.DB.prepare("SELECT queue, kind FROM dead_letters WHERE message_id = ?")
      .bind("dlq-doc-1")
      .first();
    expect(row).toEqual({ queue: "escra-documents", kind: EXECUTED_DOCUMENT_JOB });
    expect(await resendDeadLetter(env, JSON.stringify(body))).toBe("documents");
  });
});
