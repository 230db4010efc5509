// Inbound contract mail: raw RFC 822 messages fed to the worker's real `email` handler.
import { beforeAll, describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { contractRoom } from "../../durable-objects/contract-room";

const DOMAIN = env.INBOUND_EMAIL_DOMAIN;
let owner: Actor;
let signer: Actor;
let stranger: Actor;
let contractId: string;

function pdf(label: string): Uint8Array {
  return new TextEncoder().encode(`%PDF-1.7\n% ${label}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);
}

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/(.{76})/g, "$1\r\n");
}

function rawMessage(options: {
  from: string;
  to: string;
  messageId?: string | null;
  files?: { name: string; type: string; bytes: Uint8Array }[];
}) {
  const boundary = "escra-test-boundary";
  const lines = [
    `From: Party <${options.from}>`,
    `To: ${options.to}`,
    "Subject: Signed scan attached",
    ...(options.messageId === null
      ? []
      : [`Message-ID: <${options.messageId ?? crypto.randomUUID()}@mail.example.com>`]),
    "Date: Sun, 22 Nov 2026 12:00:00 +0000",
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Please find the document attached.",
  ];
  for (const f of options.files ?? []) {
    lines.push(
      `--${boundary}`,
      `Content-Type: ${f.type}; name="${f.name}"`,
      `Content-Disposition: attachment; filename="${f.name}"`,
      "Content-Transfer-Encoding: base64",
      "",
      b64(f.bytes),
    );
  }
  lines.push(`--${boundary}--`, "");
  return lines.join("\r\n");
}

/** A ForwardableEmailMessage as Email Routing hands it to the worker, recording a rejection. */
async function send(options: Parameters<typeof rawMessage>[0]) {
  const raw = new TextEncoder().encode(rawMessage(options));
  let rejected: string | null = null;
  const message = {
    from: options.from,
    to: options.to,
    raw: new Blob([raw]).stream(),
    rawSize: raw.byteLength,
    headers: new Headers(options.messageId === null ? {} : { "message-id": `<${options.messageId}@mail.example.com>` }),
    setReject: (reason: string) => void (rejected = reason),
    forward: async () => {
      throw new Error("not expected");
    },
    reply: async () => {
      throw new Error("not expected");
    },
  } as unknown as ForwardableEmailMessage;
  await worker.email(message, env);
  return { rejected: rejected as string | null };
}

const address = (id: string) => `contract+${id}@${DOMAIN}`;

beforeAll(async () => {
  owner = await actor();
  signer = await actor();
  stranger = await actor();
  const res = await call("POST", "/api/v1/contracts", {
    token: owner.token,
    body: { title: "Mailbox deal", type: "sale", signers: [{ email: signer.email, name: "Signer" }] },
  });
  contractId = res.body.data.id;
});

describe("inbound contract email", () => {
  it("adds a party's attachments to the draft and records the message in the audit", async () => {
    const bytes = pdf("from the signer");
    const { rejected } = await send({
      from: signer.email,
      to: address(contractId),
      messageId: "scan-1",
      files: [{ name: "signed-scan.pdf", type: "application/pdf", bytes }],
    });
    expect(rejected).toBeNull();

    const contract = (await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data;
    expect(contract.attachments).toHaveLength(1);
    expect(contract.attachments[0]).toMatchObject({
      name: "signed-scan.pdf",
      contentType: "application/pdf",
      size: bytes.byteLength,
    });
    const stored = await env.DOCUMENTS.get(`contracts/${contractId}/attachments/${contract.attachments[0].id}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);

    const audit = await contractRoom(env, contractId).auditTrail();
    const entry = audit.find((e) => e.type === "contract.email_received");
    expect(entry).toMatchObject({
      actorId: signer.userId,
      data: {
        messageId: "<scan-1@mail.example.com>",
        from: signer.email,
        subject: "Signed scan attached",
        attachments: [{ id: contract.attachments[0].id, name: "signed-scan.pdf" }],
      },
    });

    // The same message delivered again adds nothing.
    await send({
      from: signer.email,
      to: address(contractId),
      messageId: "scan-1",
      files: [{ name: "signed-scan.pdf", type: "application/pdf", bytes }],
    });
    const again = (await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data;
    expect(again.attachments).toHaveLength(1);
  });

  it("rejects, with a reason, mail from a non-party, to an unknown address or contract, or without attachments", async () => {
    const file = [{ name: "x.pdf", type: "application/pdf", bytes: pdf("x") }];
    const cases: [Parameters<typeof send>[0], RegExp][] = [
      [{ from: stranger.email, to: address(contractId), files: file }, /parties/],
      [{ from: signer.email, to: `hello@${DOMAIN}`, files: file }, /No mailbox/],
      [{ from: signer.email, to: `contract+${contractId}@elsewhere.example`, files: file }, /No mailbox/],
      [{ from: signer.email, to: address("ctr_00000000000000000000"), files: file }, /No such contract/],
      [{ from: signer.email, to: address(contractId), files: [] }, /no attachments/],
    ];
    for (const [input, reason] of cases) {
      const { rejected } = await send(input);
      expect(rejected, JSON.stringify(input.to)).toMatch(reason);
    }
    const contract = (await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data;
    expect(contract.attachments).toHaveLength(1);
  });

  it("applies the upload checks to every attachment before storing any", async () => {
    const { rejected } = await send({
      from: owner.email,
      to: address(contractId),
      files: [
        { name: "good.pdf", type: "application/pdf", bytes: pdf("good") },
        { name: "evil.pdf", type: "application/pdf", bytes: new TextEncoder().encode("#!/bin/sh\necho not a pdf\n") },
      ],
    });
    expect(rejected).toMatch(/Attachment "evil.pdf": Unsupported file type/);
    const contract = (await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data;
    expect(contract.attachments).toHaveLength(1);
  });

  it("accepts the owner's mail, and refuses attachments once the contract is no longer a draft", async () => {
    const ok = await send({
      from: owner.email.toUpperCase(),
      to: address(contractId),
      files: [{ name: "annex.pdf", type: "application/pdf", bytes: pdf("annex") }],
    });
    expect(ok.rejected).toBeNull();
    const contract = (await call("GET", `/api/v1/contracts/${contractId}`, { token: owner.token })).body.data;
    expect(contract.attachments.map((a: { name: string }) => a.name)).toEqual(["signed-scan.pdf", "annex.pdf"]);

    // Through the room: the cancel route belongs to the signing work and may not be mounted yet.
    const cancelled = await contractRoom(env, contractId).cancel(owner.userId, "deal off");
    expect(cancelled.ok).toBe(true);
    const late = await send({
      from: owner.email,
      to: address(contractId),
      files: [{ name: "late.pdf", type: "application/pdf", bytes: pdf("late") }],
    });
    expect(late.rejected).toMatch(/draft/);
  });

  it("rejects a message without a Message-ID", async () => {
    const { rejected } = await send({
      from: owner.email,
      to: address(contractId),
      messageId: null,
      files: [{ name: "a.pdf", type: "application/pdf", bytes: pdf("a") }],
    });
    expect(rejected).toMatch(/Message-ID/);
  });
});
