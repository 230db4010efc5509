// Formats the measurements as a table plus each scenario's cost relative to the baseline.
import type { Measurement } from "./load.ts";

const ms = (value: number) => `${value.toFixed(2)} ms`;

export function formatReport(results: Measurement[], baseline: string, header: string): string {
  const rows = [
    ["scenario", "req/s", "p50", "p95", "p99", "requests", "failures"],
    ...results.map((r) => [
      r.name,
      r.requestsPerSecond.toFixed(0),
      ms(r.p50),
      ms(r.p95),
      ms(r.p99),
      String(r.requests),
      String(r.failures),
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const table = rows.map((row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join("  "));
  const lines = [header, "", table[0]!, widths.map((w) => "-".repeat(w)).join("  "), ...table.slice(1)];

  const base = results.find((r) => r.name === baseline);
  if (base) {
    lines.push("");
    for (const r of results.filter((r) => r !== base)) {
      lines.push(
        `${r.name} vs ${base.name}: ${(base.requestsPerSecond / r.requestsPerSecond).toFixed(2)}x fewer req/s, ` +
          `p50 ${(r.p50 / base.p50).toFixed(2)}x, p95 ${(r.p95 / base.p95).toFixed(2)}x, p99 ${(r.p99 / base.p99).toFixed(2)}x`,
      );
    }
  }
  for (const r of results.filter((r) => r.failures > 0)) {
    lines.push(`WARNING ${r.name}: ${r.failures} failed requests (statuses ${JSON.stringify(r.statuses)})`);
  }
  return lines.join("\n");
}
