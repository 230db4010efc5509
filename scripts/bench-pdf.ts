// PDF bench (issue 14): render time of a 100,000-character contract body holding one 50,000-character word, and of
// a contract in ten scripts, with the Worker's own renderer (src/lib/contract-pdf.ts bundled by esbuild) and the
// fonts of public/fonts. `node scripts/bench-pdf.ts [--runs 5]`; fails when the long body takes 1 s or more.
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { importWorkerModules, localFonts, type FontLoader } from "./lib/worker-code.ts";
import { ROOT } from "./lib/processes.ts";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Math.max(1, Number(args.runs));
const LIMIT_MS = 1_000;

// Typed here rather than imported: src/ is checked against the Workers types, scripts/ against Node's.
const { renderContractPdf } = await importWorkerModules<{
  renderContractPdf: (content: unknown, fonts: FontLoader) => Promise<Uint8Array>;
}>("contract-pdf", ["src/lib/contract-pdf.ts"]);
const fonts = localFonts();

const content = (body: string) => ({
  id: "ctr_00000000000000000001",
  title: "Bench contract",
  type: "sale",
  description: null,
  version: 1,
  body,
  value: { amount: 250_000_000, currency: "NGN" },
  expiresAt: null,
  signers: [],
  attachments: [],
});

const word = "x".repeat(50_000);
const words = "The Client shall pay the Contractor on delivery. ";
const longBody = `${words.repeat(Math.ceil(50_000 / words.length)).slice(0, 49_999)} ${word}`;
const scripts = "Chiamaka Ọnụọha ₦ € £ ¥ ₹ ₵ ₿ Καλημέρα Привет مرحبا שלום नमस्ते 你好 こんにちは 안녕하세요\n".repeat(
  200,
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(name: string, body: string) {
  await renderContractPdf(content(body), fonts); // warm: fonts parsed once per isolate, as in the Worker
  const times: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    bytes = (await renderContractPdf(content(body), fonts)).length;
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    times.push(performance.now() - t);
  }
  return {
    name,
    chars: body.length,
    medianMs: Math.round(median(times)),
    maxMs: Math.round(Math.max(...times)),
    cpuMs: Math.round(median(cpu)),
    bytes,
  };
}

const results = [await time("100k body, one 50k-char word", longBody), await time("ten scripts x200 lines", scripts)];
for (const r of results) {
  console.log(
    `[bench-pdf] ${r.name}: ${r.chars} chars, median ${r.medianMs} ms (CPU ${r.cpuMs} ms), max ${r.maxMs} ms, ` +
      `${r.bytes} bytes; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
  );
}
writeFileSync(
  join(ROOT, ".bench", "pdf.json"),
  JSON.stringify({ at: new Date().toISOString(), runs, results }, null, 2),
);
// CPU time is the gate: on a shared machine the wall time mostly measures the other processes.
if (results[0]!.cpuMs >= LIMIT_MS) {
  console.error(`[bench-pdf] the long body took ${results[0]!.cpuMs} ms of CPU (limit ${LIMIT_MS} ms)`);
  process.exit(1);
}
