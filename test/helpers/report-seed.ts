// A realistic reporting dataset written straight into D1 in batches (not through the API: hundreds of contracts
// with signatures spread over weeks and escrows in every state would take minutes of requests). Deterministic
// (seeded PRNG), and returned as plain rows so tests compute the expected figures independently of the SQL.
import { env } from "cloudflare:workers";
import { ESCROW_STATUSES } from "../../src/domain/events";

export interface SeedContract {
  id: string;
  title: string;
  type: string;
  status: "draft" | "pending" | "active" | "completed" | "cancelled";
  ownerId: string;
  teamId: string | null;
  createdAt: string;
  sentAt: string | null;
  activatedAt: string | null;
  cancelledAt: string | null;
}
export interface SeedSigner {
  id: string;
  contractId: string;
  email: string;
  role: "signer" | "approver";
  status: "waiting" | "notified" | "signed" | "declined";
  signedAt: string | null;
}
export interface SeedEscrow {
  id: string;
  status: string;
  buyerId: string;
  sellerId: string;
  contractId: string | null;
  amount: number;
  currency: string;
  commission: number;
  sellerPayout: number;
  payoutStatus: string;
  createdAt: string;
  fundedAt: string | null;
  releasedAt: string | null;
  refundedAt: string | null;
  disputedAt: string | null;
}
export interface SeedPerson {
  id: string;
  email: string;
  /** Teams and the person's role in each. */
  teams: Record<string, "owner" | "admin" | "member" | "viewer">;
}

/** mulberry32: a small seeded PRNG, so every run seeds the same data. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const QUARTER_HOUR = 15 * 60_000;

/**
 * Seeds teams and memberships for `people`, `contracts` contracts spread over [start, start + weeks) with their
 * recipients, and escrows in every state (some bound to team contracts).
 * @param tag makes ids unique per test file
 */
export async function seedReportData(options: {
  tag: string;
  people: SeedPerson[];
  teamIds: string[];
  start: string;
  weeks: number;
  contracts: number;
  escrows: number;
  seed?: number;
}) {
  const rnd = prng(options.seed ?? 42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const start = Date.parse(options.start);
  const span = options.weeks * 7 * 86_400_000;
  const now = new Date().toISOString();
  const statements: D1PreparedStatement[] = [];

  for (const teamId of options.teamIds) {
    statements.push(
      env.DB.prepare("INSERT INTO teams (id, name, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").bind(
        teamId,
        `Team ${teamId}`,
        options.people[0]!.id,
        now,
        now,
      ),
    );
  }
  for (const p of options.people) {
    for (const [teamId, role] of Object.entries(p.teams)) {
      statements.push(
        env.DB.prepare(
          "INSERT INTO team_members (team_id, user_id, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
        ).bind(teamId, p.id, role, now, now),
      );
    }
  }

  const contracts: SeedContract[] = [];
  const signers: SeedSigner[] = [];
  const statuses = ["draft", "pending", "pending", "active", "completed", "completed", "cancelled"] as const;
  for (let i = 0; i < options.contracts; i++) {
    const owner = pick(options.people);
    const ownerTeams = Object.keys(owner.teams);
    const teamId = ownerTeams.length && rnd() < 0.7 ? pick(ownerTeams) : null;
    const status = pick(statuses);
    // Quarter-hour instants: hour differences stay exact in SQLite's julianday arithmetic.
    const created = start + Math.floor((rnd() * span) / QUARTER_HOUR) * QUARTER_HOUR;
    const sent =
      status === "draft" || (status === "cancelled" && rnd() < 0.3)
        ? null
        : created + (1 + Math.floor(rnd() * 96)) * QUARTER_HOUR;
    const id = `ctr_${options.tag}${String(i).padStart(6, "0")}`;
    const n = 1 + Math.floor(rnd() * 3);
    const withApprover = rnd() < 0.4;
    let lastSigned = sent ?? created;
    const parties: SeedSigner[] = [];
    const roles: ("signer" | "approver")[] = [
      ...(withApprover ? (["approver"] as const) : []),
      ...Array.from({ length: n }, () => "signer" as const),
    ];
    roles.forEach((role, k) => {
      const allSigned = status === "active" || status === "completed";
      const signed = sent !== null && (allSigned || (status === "pending" && k === 0 && rnd() < 0.5));
      const at = signed ? lastSigned + (1 + Math.floor(rnd() * 200)) * QUARTER_HOUR : null;
      if (at) lastSigned = at;
      const party = pick(options.people);
      parties.push({
        id: `sig_${options.tag}${String(i).padStart(6, "0")}${k}`,
        contractId: id,
        email: rnd() < 0.5 ? party.email : `outside-${i}-${k}@example.org`,
        role,
        status: signed ? "signed" : sent ? "notified" : "waiting",
        signedAt: at ? iso(at) : null,
      });
    });
    const activated = status === "active" || status === "completed" ? lastSigned : null;
    contracts.push({
      id,
      title: `Agreement ${i}`,
      type: pick(["nda", "service", "lease"]),
      status,
      ownerId: owner.id,
      teamId,
      createdAt: iso(created),
      sentAt: sent ? iso(sent) : null,
      activatedAt: activated ? iso(activated) : null,
      cancelledAt: status === "cancelled" ? iso((sent ?? created) + 4 * QUARTER_HOUR) : null,
    });
    signers.push(...parties);
  }
  for (const c of contracts) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO contracts (id, title, type, status, version, owner_id, team_id, body, variables, tags, created_at, updated_at,
           sent_at, activated_at, cancelled_at, revision) VALUES (?, ?, ?, ?, 1, ?, ?, 'Body', '{}', '[]', ?, ?, ?, ?, ?, 1)`,
      ).bind(
        c.id,
        c.title,
        c.type,
        c.status,
        c.ownerId,
        c.teamId,
        c.createdAt,
        c.createdAt,
        c.sentAt,
        c.activatedAt,
        c.cancelledAt,
      ),
    );
  }
  signers.forEach((s, k) => {
    statements.push(
      env.DB.prepare(
        `INSERT INTO contract_signers (id, contract_id, email, name, role, "order", status, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(s.id, s.contractId, s.email, `Party ${k}`, s.role, 1 + (k % 3), s.status, s.signedAt),
    );
  });

  const escrows: SeedEscrow[] = [];
  for (let i = 0; i < options.escrows; i++) {
    const status = ESCROW_STATUSES[i % ESCROW_STATUSES.length]!; // every status of the catalog, in turn
    const buyer = pick(options.people);
    let seller = pick(options.people);
    if (seller.id === buyer.id) seller = options.people[(options.people.indexOf(buyer) + 1) % options.people.length]!;
    const teamContract = rnd() < 0.4 ? (contracts.find((c, k) => c.teamId && k % 7 === i % 7) ?? null) : null;
    const created = start + Math.floor((rnd() * span) / QUARTER_HOUR) * QUARTER_HOUR;
    const funded = ["pending", "cancelled", "expired"].includes(status) ? null : created + 8 * QUARTER_HOUR;
    const released =
      status === "completed" || (status === "disputed" && i % 2 === 0) ? created + 400 * QUARTER_HOUR : null;
    const disputed =
      status === "disputed" || (status === "refunded" && i % 2 === 1) ? created + 300 * QUARTER_HOUR : null;
    const refunded = status === "refunded" ? created + 500 * QUARTER_HOUR : null;
    const currency = rnd() < 0.6 ? "NGN" : "USD";
    const amount = (10 + Math.floor(rnd() * 990)) * 100;
    const commission = Math.round(amount * 0.025);
    escrows.push({
      id: `esc_${options.tag}${String(i).padStart(6, "0")}`,
      status: status === "disputed" && released ? "completed" : status,
      buyerId: buyer.id,
      sellerId: seller.id,
      contractId: teamContract?.id ?? null,
      amount,
      currency,
      commission,
      sellerPayout: amount - commission,
      payoutStatus: released ? (i % 3 === 0 ? "queued" : "sent") : "none",
      createdAt: iso(created),
      fundedAt: funded ? iso(funded) : null,
      releasedAt: released ? iso(released) : null,
      refundedAt: refunded ? iso(refunded) : null,
      disputedAt: disputed ? iso(disputed) : null,
    });
  }
  for (const e of escrows) {
    statements.push(
      env.DB.prepare(
        `INSERT INTO escrows (id, status, buyer_id, seller_id, contract_id, amount, currency, commission, seller_payout, description,
           inspection_period_hours, payment_provider, payment_status, payout_status, created_at, updated_at, funded_at, released_at,
           refunded_at, disputed_at, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'Seeded', 72, 'test', 'none', ?, ?, ?, ?, ?, ?, ?, 1)`,
      ).bind(
        e.id,
        e.status,
        e.buyerId,
        e.sellerId,
        e.contractId,
        e.amount,
        e.currency,
        e.commission,
        e.sellerPayout,
        e.payoutStatus,
        e.createdAt,
        e.createdAt,
        e.fundedAt,
        e.releasedAt,
        e.refundedAt,
        e.disputedAt,
      ),
    );
  }
  for (let i = 0; i < statements.length; i += 200) await env.DB.batch(statements.slice(i, i + 200));
  return { contracts, signers, escrows };
}

/**
 * `count` contracts owned by `ownerId` in one INSERT…SELECT over a recursive CTE (a 100,000-row export test
 * seeds in about a second instead of 100,000 requests).
 */
export async function seedManyContracts(options: { ownerId: string; tag: string; count: number; start: string }) {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO contracts (id, title, type, status, version, owner_id, team_id, body, variables, tags, created_at, updated_at, revision)
     SELECT printf('ctr_%s%010d', ?, i), printf('Bulk agreement %d', i), 'nda', 'draft', 1, ?, NULL, 'Body', '{}', '[]',
       strftime('%Y-%m-%dT%H:%M:%fZ', ?, printf('+%d seconds', i)), strftime('%Y-%m-%dT%H:%M:%fZ', ?, printf('+%d seconds', i)), 1
     FROM n`,
  )
    .bind(options.count, options.tag, options.ownerId, options.start, options.start)
    .run();
}
