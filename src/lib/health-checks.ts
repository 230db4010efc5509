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
