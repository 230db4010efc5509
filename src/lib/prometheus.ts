// Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/): a small
// writer for the families /metrics publishes. Counters and gauges take samples; histograms take cumulative buckets.

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string | number>;

export interface Sample {
  labels?: Labels;
  value: number;
}

export interface HistogramSample {
  labels?: Labels;
  /** Upper bounds (seconds) and the count of observations ≤ each, cumulative; +Inf is added from `count`. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

export type MetricFamily =
  | { name: string; help: string; type: "counter" | "gauge"; samples: Sample[] }
  | { name: string; help: string; type: "histogram"; samples: HistogramSample[] };

/** Label values escape `\`, `"` and newline; HELP text escapes `\` and newline (the format's rules). */
const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

function formatLabels(labels: Labels | undefined, extra?: Labels): string {
  const all = { ...labels, ...extra };
  const keys = Object.keys(all);
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabel(String(all[k]))}"`).join(",")}}`;
}

/** Serialises the families; a family without samples is still declared (HELP/TYPE) so dashboards find it. */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === "histogram") {
      for (const s of family.samples) {
        for (const b of s.buckets)
          lines.push(`${family.name}_bucket${formatLabels(s.labels, { le: formatValue(b.le) })} ${b.count}`);
        lines.push(`${family.name}_bucket${formatLabels(s.labels, { le: "+Inf" })} ${s.count}`);
        lines.push(`${family.name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
        lines.push(`${family.name}_count${formatLabels(s.labels)} ${s.count}`);
      }
    } else {
      for (const s of family.samples) lines.push(`${family.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
