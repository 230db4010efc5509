// WebSocket fan-out of a contract room: N authenticated sockets on /api/v1/contracts/:id/live (⌈N/5⌉ users the
// contract is shared with, 5 sockets each), one state change per round (a draft edit → contract.updated), and the
// time from the PATCH to the last socket receiving its event (measureFanout of scripts/bench-ws.ts).
//
//   node scripts/bench-ws-contract.ts [--base http://127.0.0.1:8787] [--n 100,1000] [--rounds 20]
//   Without --base it starts its own `wrangler dev` with throwaway state (like `npm run bench`).
import { parseArgs } from "node:util";
import { runAgainstBenchWorker } from "./lib/bench-worker.ts";
import {
  api,
  createBenchUser,
  formatFanout,
  mapLimit,
  measureFanout,
  withRetries,
  type FanoutResult,
  type FanoutTarget,
} from "./bench-ws.ts";

const SOCKETS_PER_USER = 5;

export async function contractRoomTarget(baseUrl: string, n: number): Promise<FanoutTarget> {
  const userCount = Math.ceil(n / SOCKETS_PER_USER);
  const users = await mapLimit(
    Array.from({ length: userCount }, (_, i) => i),
    8,
    (i) => withRetries(() => createBenchUser(baseUrl, i)),
  );
  const owner = users[0]!;
  const auth = { authorization: `Bearer ${owner.accessToken}` };
  const contract = await api<{ id: string }>(
    baseUrl,
    "POST",
    "/api/v1/contracts",
    { title: "Bench room", type: "services", body: "Bench." },
    auth,
  );
  // Everyone else may see the contract through a share (the room admits owner, team, shares, parties, admins).
  const emails = await mapLimit(
    users.slice(1),
    8,
    async (u) =>
      (
        await api<{ user: { email: string } }>(baseUrl, "GET", "/api/v1/users/me", undefined, {
          authorization: `Bearer ${u.accessToken}`,
        })
      ).user.email,
  );
  await mapLimit(emails, 8, (email) =>
    api(baseUrl, "POST", `/api/v1/contracts/${contract.id}/share`, { email, permission: "view" }, auth),
  );
  const wsBase = baseUrl.replace(/^http/, "ws");
  return {
    name: `contract room (${userCount} users × ≤${SOCKETS_PER_USER})`,
    sockets: Array.from({ length: n }, (_, i) => ({
      url: `${wsBase}/api/v1/contracts/${contract.id}/live`,
      token: users[Math.floor(i / SOCKETS_PER_USER)]!.accessToken,
    })),
    trigger: async (round) => {
      await api(baseUrl, "PATCH", `/api/v1/contracts/${contract.id}`, { title: `Bench room, round ${round}` }, auth);
    },
  };
}

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    n: { type: "string", default: "100,1000" },
    rounds: { type: "string", default: "20" },
  },
});
const sizes = args.n.split(",").map((s) => Number(s.trim()));
const run = async (baseUrl: string) => {
  const results: FanoutResult[] = [];
  for (const n of sizes)
    results.push(await measureFanout(await contractRoomTarget(baseUrl, n), { rounds: Number(args.rounds) }));
  console.log(`\n${formatFanout(results)}\n`);
};
await runAgainstBenchWorker("ws-contract", args.base, run);
