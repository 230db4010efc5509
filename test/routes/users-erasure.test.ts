// Erasure reaches the contract rooms: other parties no longer see the name or email, and whoever registers the
// freed address later gains no access to the erased user's contracts (issue 15.2).
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { createUser } from "../helpers/users";
import { actor } from "../helpers/contract-fixtures";

describe("DELETE /users/me on a party to others' contracts", () => {
  it("pseudonymises the signer in the room and D1; the freed address opens nothing", async () => {
    const [owner, victim] = await Promise.all([actor(), createUser({ name: "Vera Victim" })]);
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: {
        title: "Lease",
        type: "lease",
        body: "Terms.",
        signers: [{ email: victim.email, name: "Vera Victim", order: 1 }],
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
    expect((await call("GET", `/api/v1/contracts/${id}`, { token: victim.accessToken })).status).toBe(200);

    const erased = await call("DELETE", "/api/v1/users/me", {
      token: victim.accessToken,
      body: { password: victim.password },
    });
    expect(erased.status).toBe(200);

    const seen = await call("GET", `/api/v1/contracts/${id}`, { token: owner.token });
    expect(seen.status).toBe(200);
    const text = JSON.stringify(seen.body.data);
    expect(text).not.toContain(victim.email);
    expect(text).not.toContain("Vera Victim");
    expect(seen.body.data.signers[0]).toMatchObject({
      email: `erased+${victim.user.id.toLowerCase()}@erased.invalid`,
      name: "Erased user",
    });
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM contract_signers WHERE email = ? OR name = ?")
      .bind(victim.email, "Vera Victim")
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);

    const successor = await createUser({ email: victim.email });
    const opened = await call("GET", `/api/v1/contracts/${id}`, { token: successor.accessToken });
    expect(opened.status).toBe(404);
    expect(opened.body.error.code).toBe("RES001");
    const listed = await call("GET", "/api/v1/contracts", { token: successor.accessToken });
    expect(JSON.stringify(listed.body.data)).not.toContain(id);
  });
});
