// The authorization walk (issue 11, kind 2): every operation of the generated OpenAPI document is called with
// (a) an admin's API key holding every scope but the admin ones and (b) a user's read-only key. Every admin,
// write and session-only operation must answer 403 AUTH003 before it looks anything up. A new route that
// declares no access fails here by name; one that declares too little fails on its status.
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { SCOPES, isAdminScope, isWriteScope } from "../../src/domain/scopes";

interface Operation {
  method: string;
  path: string;
  access: string | undefined;
  scope: string | undefined;
  signingToken: boolean;
  defaulted: boolean;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
// A well-formed id for any path parameter: the guard runs before validation and lookups, so its value is moot.
const DUMMY_ID = "0000000000000000000000";

let operations: Operation[] = [];
let adminKey: string;
let readKey: string;

async function mintKey(token: string, scopes: string[]): Promise<string> {
  const res = await call("POST", "/api/v1/api-keys", { token, body: { name: "walk", scopes } });
  if (res.status !== 201) throw new Error(`key not minted: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.secret;
}

function isAdminOperation(op: Operation) {
  return op.path.startsWith("/api/v1/admin/") || (op.scope !== undefined && isAdminScope(op.scope));
}

/** What a key may never do unless its scopes say so: change state, act as admin, or act as the person. */
function isGuardedFromKeys(op: Operation) {
  return (
    op.method !== "get" ||
    isAdminOperation(op) ||
    op.access === "session" ||
    (op.scope !== undefined && isWriteScope(op.scope))
  );
}

async function invoke(op: Operation, key: string) {
  const path = op.path.replace(/\{[^}]+\}/g, DUMMY_ID);
  return call(op.method.toUpperCase(), path, { token: key, body: op.method === "get" ? undefined : {} });
}

beforeAll(async () => {
  const doc = (await call("GET", "/api/v1/openapi.json")).body as unknown as {
    paths: Record<string, Record<string, any>>;
  };
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      operations.push({
        method,
        path,
        access: op["x-escra-access"],
        scope: op["x-escra-scope"],
        signingToken: op["x-escra-signing-token"] === true,
        defaulted: op["x-escra-access-default"] === true,
      });
    }
  }
  const admin = await createUser({ role: "admin" });
  adminKey = await mintKey(
    admin.accessToken,
    SCOPES.filter((s) => !isAdminScope(s)),
  );
  const user = await createUser();
  readKey = await mintKey(
    user.accessToken,
    SCOPES.filter((s) => !isWriteScope(s) && !isAdminScope(s)),
  );
}, 60_000);

describe("every operation declares who may call it", () => {
  it("publishes x-escra-access on every operation and leaves none to the default", () => {
    expect(operations.length).toBeGreaterThan(100);
    expect(
      operations
        .filter((op) => !["public", "scope", "session"].includes(op.access ?? ""))
        .map((op) => `${op.method} ${op.path}`),
    ).toEqual([]);
    // A route that declares nothing still refuses API keys at run time; this names it so its author decides.
    expect(operations.filter((op) => op.defaulted).map((op) => `${op.method} ${op.path}`)).toEqual([]);
  });

  it("never guards a state-changing operation with a read scope alone", () => {
    const weak = operations.filter(
      (op) => op.method !== "get" && op.access === "scope" && op.scope !== undefined && !isWriteScope(op.scope),
    );
    expect(weak.map((op) => `${op.method} ${op.path} (${op.scope})`)).toEqual([]);
  });

  it("guards every /admin operation with an admin scope", () => {
    const admin = operations.filter((op) => op.path.startsWith("/api/v1/admin/"));
    expect(admin.length).toBeGreaterThan(5);
    expect(admin.filter((op) => !op.scope || !isAdminScope(op.scope)).map((op) => `${op.method} ${op.path}`)).toEqual(
      [],
    );
  });
});

describe("an admin's API key without admin scopes", () => {
  it("is refused (403 AUTH003) by every admin and session-only operation", async () => {
    const wrong: string[] = [];
    for (const op of operations.filter(
      (o) => o.access !== "public" && (isAdminOperation(o) || o.access === "session"),
    )) {
      const res = await invoke(op, adminKey);
      if (res.status !== 403 || res.body.error?.code !== "AUTH003")
        wrong.push(`${op.method} ${op.path} → ${res.status} ${res.body.error?.code}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it("POST /admin/escrows/:id/refund → 403 AUTH003 (the issue's example: a contracts:read key moved money)", async () => {
    const admin = await createUser({ role: "admin" });
    const key = await mintKey(admin.accessToken, ["contracts:read"]);
    const res = await call("POST", "/api/v1/admin/escrows/esc_00000000000000000000/refund", { token: key, body: {} });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("AUTH003");
  });
});

describe("a read-only API key", () => {
  it("is refused (403 AUTH003) by every write, admin and session-only operation", async () => {
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.access !== "public" && isGuardedFromKeys(o))) {
      // A party's action also admits an X-Signing-Token instead; without one the key needs the write scope.
      const res = await invoke(op, readKey);
      if (res.status !== 403 || res.body.error?.code !== "AUTH003")
        wrong.push(`${op.method} ${op.path} → ${res.status} ${res.body.error?.code}`);
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it("passes the scope check of every read operation whose scope it holds", async () => {
    const readable = operations.filter((o) => o.access === "scope" && o.method === "get" && !isGuardedFromKeys(o));
    expect(readable.length).toBeGreaterThan(20);
    const refused: string[] = [];
    for (const op of readable) {
      const res = await invoke(op, readKey);
      if (res.status === 403 && /lacks the .* scope/.test(res.body.error?.message ?? ""))
        refused.push(`${op.method} ${op.path}`);
    }
    expect(refused).toEqual([]);
  }, 120_000);
});
