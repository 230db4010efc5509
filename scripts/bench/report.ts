// Formats the measurements as issue 18's table: each row's ratio to the bare reference Worker measured in the same
// run, the workerd RSS under that load, and whether the row meets its target.
import type { Measurement } from "./load.ts";
import type { Target } from "./scenarios.ts";

export interface Row {
  label: string;
  measurement: Measurement;
  target?: Target;
}

export interface ReportContext {
  /** The bare Worker's measurement per connection count. */
  bare: Map<number, Measurement>;
  /** One argon2id hash at the current parameters, ms (login's target is a multiple of it). */
  hashMs?: number;
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 1 : 0)} ms` : "—");

/** Throughput ratio to the bare Worker at the same connections (flows count as the unit of work). */
export function ratioToBare(m: Measurement, ctx: ReportContext): number | undefined {
  const bare = ctx.bare.get(m.connections);
  if (!bare) return undefined;
  return (m.flowsPerSecond ?? m.requestsPerSecond) / bare.requestsPerSecond;
}

/** Whether `m` meets `target`, with the reason written out ("≥ 0.70: 0.82"). */
export function judge(
  m: Measurement,
  target: Target | undefined,
  ctx: ReportContext,
): { met: boolean; text: string } | null {
  if (!target) return null;
  const parts: string[] = [];
  let met = true;
  const check = (ok: boolean, text: string) => {
    met &&= ok;
    parts.push(text);
  };
  const bare = ctx.bare.get(m.connections);
  if (target.minRatio !== undefined) {
    const r = ratioToBare(m, ctx);
    check(r !== undefined && r >= target.minRatio, `ratio ≥ ${target.minRatio}`);
  }
  if (target.maxP99Ms !== undefined) check(m.p99 <= target.maxP99Ms, `p99 ≤ ${target.maxP99Ms} ms`);
  if (target.maxP99Bare !== undefined) {
    check(
      bare !== undefined && m.p99 <= target.maxP99Bare * bare.p99,
      `p99 ≤ ${target.maxP99Bare} × bare (${bare ? ms(target.maxP99Bare * bare.p99) : "?"})`,
    );
  }
  if (target.maxP50Ms !== undefined) check(m.p50 <= target.maxP50Ms, `p50 ≤ ${target.maxP50Ms} ms`);
  if (target.maxP50Hash !== undefined) {
    const bound = ctx.hashMs === undefined ? undefined : target.maxP50Hash * ctx.hashMs;
    check(
      bound !== undefined && m.p50 <= bound,
      `p50 ≤ ${target.maxP50Hash} × hash (${bound === undefined ? "?" : ms(bound)})`,
    );
  }
  if (target.minFlowsPerSecond !== undefined) {
    check((m.flowsPerSecond ?? 0) >= target.minFlowsPerSecond, `≥ ${target.minFlowsPerSecond} flows/s`);
  }
  return { met, text: parts.join(", ") };
}

export function formatReport(rows: Row[], ctx: ReportContext, header: string): string {
  const table = [
    [
      "scenario",
      "conns",
      "req/s",
      "flows/s",
      "ratio to bare",
      "p50",
      "p99",
      "p99 / bare",
      "RSS MiB",
      "fails",
      "target",
      "met",
    ],
    ...rows.map(({ label, measurement: m, target }) => {
      const bare = ctx.bare.get(m.connections);
      const ratio = ratioToBare(m, ctx);
      const verdict = judge(m, target, ctx);
      return [
        label,
        String(m.connections),
        m.requestsPerSecond.toFixed(1),
        m.flowsPerSecond === undefined ? "" : m.flowsPerSecond.toFixed(1),
        ratio === undefined ? "—" : ratio.toFixed(2),
        ms(m.p50),
        ms(m.p99),
        bare ? `${(m.p99 / bare.p99).toFixed(2)}x` : "—",
        m.rssMiB === undefined ? "" : m.rssMiB.toFixed(0),
        String(m.failures),
        verdict?.text ?? "",
        verdict ? (verdict.met ? "yes" : "NO") : "",
      ];
    }),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const lines = table.map(
    (row) =>
      `| ${row.map((cell, col) => (col === 0 || col >= 10 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join(" | ")} |`,
  );
  lines.splice(
    1,
    0,
    `| ${widths.map((w, col) => (col === 0 || col >= 10 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`,
  );
  const out = [header, "", ...lines];
  if (ctx.hashMs !== undefined)
    out.push("", `one argon2id hash (m=19 MiB, t=2, p=1) in this process: ${ms(ctx.hashMs)}`);
  for (const { label, measurement: m } of rows.filter((r) => r.measurement.failures > 0)) {
    out.push(
      `WARNING ${label} (c=${m.connections}): ${m.failures} failed requests (statuses ${JSON.stringify(m.statuses)})`,
    );
  }
  return out.join("\n");
}
