// `wrangler dev` never fires Cron Triggers on its own; this ticks them locally, once a minute, through the
// scheduled-handler endpoint wrangler exposes, so reminders, anchoring and retention run under `npm run dev`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./processes.ts";

/** The cron expressions of wrangler.toml's [triggers], so dev runs exactly what production schedules. */
export function wranglerCrons(): string[] {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const list = /^crons\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

/** Whether a 5-field cron expression (numbers, `*`, `*\/n`, lists, ranges) matches this UTC minute. */
export function cronMatches(expression: string, at: Date): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  const values = [at.getUTCMinutes(), at.getUTCHours(), at.getUTCDate(), at.getUTCMonth() + 1, at.getUTCDay()];
  return fields.every((field, i) => field.split(",").some((part) => partMatches(part, values[i]!)));
}

function partMatches(part: string, value: number): boolean {
  const [range, stepText] = part.split("/");
  const step = stepText ? Number(stepText) : 1;
  if (range === "*") return value % step === 0;
  const [from, to] = range!.split("-").map(Number);
  const upper = to ?? (stepText ? Number.POSITIVE_INFINITY : from!);
  return value >= from! && value <= upper && (value - from!) % step === 0;
}

/** Fires every matching cron at the start of each minute; returns a function that stops the ticker. */
export function startCronTicker(baseUrl: string, log: (line: string) => void): () => void {
  const crons = wranglerCrons();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = new Date();
    for (const cron of crons.filter((c) => cronMatches(c, now))) {
      fetch(`${baseUrl}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(cron)}`)
        .then((res) => {
          if (!res.ok) log(`cron "${cron}" answered ${res.status}`);
        })
        .catch((err: unknown) => log(`cron "${cron}" failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    timer = setTimeout(tick, 60_000 - (Date.now() % 60_000));
  };
  timer = setTimeout(tick, 60_000 - (Date.now() % 60_000));
  return () => clearTimeout(timer);
}
