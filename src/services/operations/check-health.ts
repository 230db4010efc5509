// The admin's detailed health (every probe plus the operational gauges) and the readiness probe.
import type { Bindings } from "../../env";
import { checkHealth } from "../../lib/health-checks";
import { operationalCounts } from "../../db/operations";
import { metricsRoom } from "../../lib/metrics";
import type { MetricsSnapshot } from "../../../durable-objects/metrics-room";

const count = (rows: { status: string; count: number }[], status: string) =>
  rows.find((r) => r.status === status)?.count ?? 0;

/** checkHealth() plus backlogs, dead letters, delivery outcomes, anchoring lag and live sockets. */
export async function checkDetailedHealth(env: Bindings, now = new Date()) {
  const [health, counts, snapshot] = await Promise.all([
    checkHealth(env),
    operationalCounts(env.DB),
    (metricsRoom(env).snapshot() as Promise<MetricsSnapshot>).catch(() => null),
  ]);
  const succeeded = count(counts.webhookDeliveries, "succeeded");
  const failed = count(counts.webhookDeliveries, "failed");
  return {
    ...health,
    environment: env.ENVIRONMENT,
    checkedAt: now.toISOString(),
    backlog: {
      webhookDeliveries: count(counts.webhookDeliveries, "pending"),
      emails: count(counts.emailDeliveries, "queued"),
      anchorRecords: count(counts.anchorRecords, "pending"),
    },
    deadLetters: counts.deadLetters,
    webhookDeliveries: counts.webhookDeliveries,
    webhookSuccessRatio: succeeded + failed === 0 ? 1 : succeeded / (succeeded + failed),
    emailDeliveries: counts.emailDeliveries,
    anchoring: counts.oldestPendingAnchors.map((r) => ({
      network: r.network,
      lagSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(r.createdAt)) / 1000)),
    })),
    liveSockets: (snapshot?.liveSockets ?? []).map((r) => ({ room: r.kind, sockets: r.sockets })),
  };
}

const READINESS_TIMEOUT_MS = 2000;

/** Ready when D1 answers a trivial query within 2 s: without it no route can serve. */
export async function checkReadiness(env: Bindings) {
  let database: "up" | "down" = "up";
  try {
    await Promise.race([
      env.DB.prepare("SELECT 1 AS ok").first(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), READINESS_TIMEOUT_MS)),
    ]);
  } catch {
    database = "down";
  }
  return { status: database === "up" ? ("ready" as const) : ("not_ready" as const), checks: { database } };
}
