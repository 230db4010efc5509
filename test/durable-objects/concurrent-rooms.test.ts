// Several rooms working at once in one isolate: no room may await work another room started. pdf-lib's font
// subsetter (fontkit) once queued its stream callbacks on one isolate-wide queue, so two contracts sent at the same
// time hung both sends (workerd refuses I/O across Durable Objects); patches/@pdf-lib+fontkit*.patch fixes it.
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/http";
import { createUser, type TestUser } from "../helpers/users";

let owner: TestUser, signer: TestUser, buyer: TestUser;
beforeAll(async () => {
  [owner, signer, buyer] = await Promise.all([
    createUser({ name: "Olu Owner" }),
    createUser({ name: "Sade Signer" }),
    createUser({ name: "Bola Buyer" }),
  ]);
});

describe("rooms rendering documents at the same time", () => {
  it("three contracts sent at once are all sent, each with its own frozen document", async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const created = await call("POST", "/api/v1/contracts", {
          token: owner.accessToken,
          body: {
            title: `Parallel deal ${n}`,
            type: "deal",
            body: `Terms of deal ${n}: ₦${n},000 — Ọnụọha.`,
            signers: [{ email: signer.email, name: "Sade Signer" }],
          },
        });
        expect(created.status).toBe(201);
        return created.body.data.id as string;
      }),
    );
    const sent = await Promise.all(
      ids.map((id) => call("POST", `/api/v1/contracts/${id}/send`, { token: owner.accessToken, body: {} })),
    );
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sent.map((r) => r.body.data.status)).toEqual(["pending", "pending", "pending"]);
    expect(new Set(sent.map((r) => r.body.data.documentHash)).size).toBe(3);
  }, 60_000);

  it("three escrows opened at once each get their contract and answer 201", async () => {
    const opened = await Promise.all(
      [1, 2, 3].map((n) =>
        call("POST", "/api/v1/escrows", {
          token: buyer.accessToken,
          body: {
            sellerEmail: signer.email,
            amount: 100_000 * n,
            currency: "NGN",
            description: `Laptop ${n}`,
            inspectionPeriodHours: 24,
          },
        }),
      ),
    );
    expect(opened.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(opened.map((r) => r.body.data.contractId)).size).toBe(3);
  }, 60_000);
});
