// `npm run docs:pdf-screenshots`: renders a sample executed contract and its certificate of completion with the
// Worker's own renderers (bundled by esbuild, fonts from public/fonts) and saves page 1 of each as PNG under docs/
// (pdftoppm, Debian poppler-utils), so the README shows what a party receives.
import { importWorkerModules, localFonts, pictureFirstPage, type FontLoader } from "./lib/worker-code.ts";

const lib = await importWorkerModules<{
  renderExecutedPdf: (x: unknown, fonts: FontLoader) => Promise<Uint8Array>;
  renderCertificatePdf: (input: unknown, fonts: FontLoader) => Promise<Uint8Array>;
}>("pdf-screenshots", ["src/lib/contract-pdf.ts", "src/lib/certificate-pdf.ts"]);
const fonts = localFonts();

const at = "2026-11-30T09:15:00.000Z";
const signature = (type: string, value: string | null, signerId: string) => ({
  type,
  value,
  signerId,
  signedAt: at,
  ip: "198.51.100.7",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
  consent: true,
  documentHash: "9f2c".repeat(16),
  countersignature: { alg: "EdDSA", kid: "escra-2026-11", jws: "…" },
});
const signers = [
  {
    id: "sig_01JCHIAMAKA000000001",
    email: "chiamaka@example.ng",
    name: "Chiamaka \u1eccn\u1ee5\u1ecdha",
    role: "signer" as const,
    order: 1,
    status: "signed" as const,
    signedAt: at,
    signature: signature("typed", "Chiamaka \u1eccn\u1ee5\u1ecdha", "sig_01JCHIAMAKA000000001"),
  },
  {
    id: "sig_01JDMITRI00000000002",
    email: "dmitri@example.com",
    name: "\u0414\u043c\u0438\u0442\u0440\u0438\u0439 \u041f\u0435\u0442\u0440\u043e\u0432",
    role: "signer" as const,
    order: 2,
    status: "signed" as const,
    signedAt: at,
    signature: signature("typed", "Dmitri Petrov", "sig_01JDMITRI00000000002"),
  },
];
const content = {
  id: "ctr_01JEXAMPLECONTRACT0",
  title: "Website design services \u2014 \u201cLagos launch\u201d",
  type: "services",
  description: "Design and build of a bilingual storefront",
  version: 1,
  body: [
    "1. Services. The Freelancer designs and builds the storefront described in Annex A.",
    "2. Fee. The Client shall pay \u20a62,500,000 within 14 days of accepting the deliverables.",
    "3. Languages. The storefront greets visitors in English, Greek, Russian, Hindi and Chinese:",
    "Welcome \u2014 \u039a\u03b1\u03bb\u03ce\u03c2 \u03ae\u03c1\u03b8\u03b1\u03c4\u03b5 \u2014 \u0414\u043e\u0431\u0440\u043e \u043f\u043e\u0436\u0430\u043b\u043e\u0432\u0430\u0442\u044c \u2014 \u0938\u094d\u0935\u093e\u0917\u0924 \u0939\u0948 \u2014 \u6b22\u8fce\u5149\u4e34",
    "\u05e9\u05dc\u05d5\u05dd \u05d5\u05d1\u05e8\u05d5\u05db\u05d9\u05dd",
  ].join("\n"),
  value: { amount: 250_000_000, currency: "NGN" },
  expiresAt: null,
  signers,
  attachments: [],
};
const executed = await lib.renderExecutedPdf(
  {
    content,
    documentHash: "9f2c".repeat(16),
    activatedAt: at,
    owner: { id: "usr_01JOWNER0000000000001", name: "Adaeze Okafor", email: "adaeze@example.ng" },
    images: new Map(),
  },
  fonts,
);
const state = {
  ...content,
  status: "active",
  ownerId: "usr_01JOWNER0000000000001",
  teamId: null,
  templateId: null,
  templateVersion: null,
  shares: [],
  documentHash: "9f2c".repeat(16),
  createdAt: at,
  updatedAt: at,
  sentAt: at,
  activatedAt: at,
  completedAt: null,
  cancelledAt: null,
  cancelReason: null,
  deletedAt: null,
  tags: [],
  category: null,
  variables: {},
};
const audit = ["contract.created", "contract.sent", "contract.signed", "contract.signed", "contract.activated"].map(
  (type, i) => ({
    seq: i + 1,
    type,
    actorId: i < 2 ? "usr_01JOWNER0000000000001" : null,
    at,
    data:
      type === "contract.activated"
        ? { executionHash: "0x" + "4be1".repeat(16) }
        : type === "contract.signed"
          ? { signerId: signers[i - 2]!.id }
          : {},
    prevHash: "0".repeat(64),
    hash: `${i}`.repeat(64).slice(0, 64),
  }),
);
const anchor = (kind: string, hash: string) => ({
  kind,
  hash,
  status: "confirmed",
  network: { name: "base", chainId: 8453 },
  txHash: "0x" + "7c3a".repeat(16),
  blockNumber: 23_918_442,
  confirmations: 12,
  proof: { root: "0x" + "e0f1".repeat(16) },
});
const certificate = await lib.renderCertificatePdf(
  {
    state,
    audit,
    sender: { name: "Adaeze Okafor", email: "adaeze@example.ng" },
    actors: new Map([["usr_01JOWNER0000000000001", "Adaeze Okafor <adaeze@example.ng>"]]),
    images: new Map(),
    executedDocumentHash: "51d0".repeat(16),
    anchors: [anchor("document", "0x" + "9f2c".repeat(16)), anchor("execution", "0x" + "4be1".repeat(16))],
    verifyUrl: `https://api.escra.example/api/v1/verify?hash=0x${"9f2c".repeat(16)}`,
  },
  fonts,
);

for (const [name, pdf] of [
  ["executed-contract", executed],
  ["certificate", certificate],
] as const) {
  console.log(pictureFirstPage(name, pdf));
}
