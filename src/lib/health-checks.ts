// Probes each dependency with a real round trip; the chain is non-critical (down → degraded, not down).
import { createPublicClient, http } from "viem";
import type { Bindings } from "../env";
import { anchorNetworks } from "./networks";
import { newId } from "./ids";

type ServiceName = "database" | "storage" | "queue" | "durableObjects" | "chain";
interface ServiceStatus {
  status: "up" | "down";
  latencyMs: number;
  critical: boolean;
  error?: string;
}

const TIMEOUT_MS = 3000;

async function probe(critical: boolean, check: () => Promise<unknown>): Promise<ServiceStatus> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS)),
    ]);
    return { status: "up", latencyMs: elapsed(started), critical };
  } catch (err) {
    // A short reason helps operators; it names the failing dependency, never a stack or a secret.
    const reason = err instanceof Error ? err.message.slice(0, 120) : "failed";
    return { status: "down", latencyMs: elapsed(started), critical, error: reason };
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;

export async function checkHealth(env: Bindings) {
  const now = new Date().toISOString();
  const [database, storage, queue, durableObjects, chain] = await Promise.all([
    probe(true, () => env.DB.prepare("SELECT 1 AS ok").first()),
    probe(true, () => env.DOCUMENTS.head("health/probe")),
    probe(true, async () => {
      const message = { kind: "system.health", id: newId("msg"), payload: {}, createdAt: now };
      await Promise.all([env.EVENTS.send(message), env.JOBS.send(message)]);
    }),
    probe(true, async () => {
      const stub = env.USER_FEED.get(env.USER_FEED.idFromName("health"));
      const res = await stub.fetch("https://do/ping");
      if (!res.ok) throw new Error(`durable object answered ${res.status}`);
    }),
    probe(false, () => checkChain(env)),
  ]);
  const services: Record<ServiceName, ServiceStatus> = { database, storage, queue, durableObjects, chain };
  const down = Object.values(services).filter((s) => s.status === "down");
  const status = down.some((s) => s.critical) ? "down" : down.length > 0 ? "degraded" : "healthy";
  return { status, services } as const;
}

/**
 * How long one isolate reuses a finished health check, in ms. GET /health is public and unauthenticated: probing
 * per request made it cost ~4 × ping (a D1 query, an R2 head, two queue messages, a DO round trip and a chain RPC
 * each time, see README "Performance") and let anyone flood the queues through it. Load balancers poll every few
 * seconds, so a result at most this old is as useful; a failure shows within the same bound.
 */
export const HEALTH_CACHE_MS = 2_000;

type Health = Awaited<ReturnType<typeof checkHealth>>;
const recentHealth = new Map<string, { at: number; health: Health; refreshing: boolean }>();

/**
 * checkHealth() shared by the requests of one isolate: a result is reused for HEALTH_CACHE_MS after it arrived;
 * while one request refreshes an older result, the others answer with that result (at most HEALTH_CACHE_MS plus
 * one probe timeout old) rather than all probing at once. Each request only awaits probes it started itself:
 * workerd cancels a request's I/O when it ends, so a promise shared across requests could leave the others hanging.
 * Keyed by ANCHOR_NETWORKS, the only setting that changes which dependencies are probed.
 */
export async function recentCheckHealth(env: Bindings): Promise<Health> {
  const key = env.ANCHOR_NETWORKS ?? "";
  const now = Date.now();
  const hit = recentHealth.get(key);
  if (hit && (now - hit.at < HEALTH_CACHE_MS || (hit.refreshing && now - hit.at < HEALTH_CACHE_MS + TIMEOUT_MS))) {
    return hit.health;
  }
  if (hit) hit.refreshing = true;
  try {
    const health = await checkHealth(env);
    if (recentHealth.size > 16) recentHealth.clear();
    recentHealth.set(key, { at: Date.now(), health, refreshing: false });
    return health;
  } finally {
    if (hit) hit.refreshing = false;
  }
}

async function checkChain(env: Bindings) {
  const networks = anchorNetworks(env.ANCHOR_NETWORKS);
  if (networks.length === 0) throw new Error("no anchor network configured");
  await Promise.all(
    networks.map(async (network) => {
      const client = createPublicClient({ transport: http(network.rpcUrl, { timeout: TIMEOUT_MS, retryCount: 0 }) });
      const chainId = await client.getChainId();
      if (chainId !== network.chainId)
        throw new Error(`${network.name}: chain id ${chainId}, expected ${network.chainId}`);
    }),
  );
}
