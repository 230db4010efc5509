// Vitest global setup (runs in Node): a real Anvil node for the tests, mining only on demand.
import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export const TEST_ANVIL_PORT = 8546;
export const TEST_ANVIL_URL = `http://127.0.0.1:${TEST_ANVIL_PORT}`;

let anvil: ChildProcess | undefined;

export async function setup() {
  if (await rpcAlive()) return; // a previous run's node is still up; reuse it
  anvil = spawn("anvil", ["--port", String(TEST_ANVIL_PORT), "--chain-id", "31337", "--silent"], {
    stdio: "ignore",
    env: { ...process.env, PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` },
  });
  for (let i = 0; i < 100; i++) {
    if (await rpcAlive()) return;
    await sleep(100);
  }
  throw new Error(`anvil did not start on ${TEST_ANVIL_URL}`);
}

export async function teardown() {
  anvil?.kill("SIGTERM");
}

async function rpcAlive(): Promise<boolean> {
  try {
    const res = await fetch(TEST_ANVIL_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}
