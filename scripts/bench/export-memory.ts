// Memory of the 100,000-row export test (issue 16.1): runs test/routes/reports-export-scale.test.ts under vitest and
// samples the resident memory (RSS) of every workerd process in its tree every 250 ms. workerd runs the Worker, its
// queue consumer, the test code and the local D1/R2 stores in one process, so the figure is an upper bound on what
// the export job holds: the peak minus the level once the 100,000 rows are seeded is what the exports added.
//
//   npm run bench:export-memory
import { execFileSync, spawn } from "node:child_process";
import { ROOT } from "../lib/processes.ts";

const FILE = "test/routes/reports-export-scale.test.ts";

/** RSS in MiB of the workerd processes descending from `root`. */
function workerdRss(root: number): number {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,rss=,comm="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, rss, comm]) => ({ pid: Number(pid), ppid: Number(ppid), rss: Number(rss), comm: comm ?? "" }));
  const inTree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of table) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  const kib = table.filter((p) => inTree.has(p.pid) && p.comm.startsWith("workerd")).reduce((s, p) => s + p.rss, 0);
  return kib / 1024;
}

const child = spawn("npx", ["vitest", "run", FILE], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
const started = performance.now();
const samples: { s: number; mib: number }[] = [];
const marks: { s: number; text: string }[] = [];
child.stdout.on("data", (chunk: Buffer) => {
  const text = chunk.toString();
  process.stdout.write(text);
  for (const line of text.split("\n")) {
    if (/✓|×|passed|failed/.test(line)) marks.push({ s: (performance.now() - started) / 1000, text: line.trim() });
  }
});
const timer = setInterval(() => {
  try {
    samples.push({ s: (performance.now() - started) / 1000, mib: workerdRss(child.pid!) });
  } catch {
    // ps raced a process that exited: skip the sample
  }
}, 250);
const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
clearInterval(timer);

const live = samples.filter((x) => x.mib > 0);
const peak = live.reduce((a, b) => (b.mib > a.mib ? b : a), { s: 0, mib: 0 });
console.log(`\nworkerd RSS, MiB (${live.length} samples, every 250 ms):`);
for (let t = 0; t < (live.at(-1)?.s ?? 0); t += 5) {
  const slice = live.filter((x) => x.s >= t && x.s < t + 5);
  if (slice.length)
    console.log(`  ${String(t).padStart(4)}–${t + 5} s  max ${Math.max(...slice.map((x) => x.mib)).toFixed(0)}`);
}
console.log(`peak ${peak.mib.toFixed(0)} MiB at ${peak.s.toFixed(1)} s; vitest exited ${code}`);
process.exitCode = code;
