// Rotation over stored deliveries: data keys re-wrapped under the new KEK inside each room, ciphertexts unchanged,
// and the buyer still reveals the same credentials afterwards.
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { rotateEscrowVault } from "../../src/jobs/escrow-vault-rotation";
import { escrowRoom } from "../../durable-objects/escrow-room";
import { base64Encode, randomBytes } from "../../src/lib/crypto";
import { kekId, openRecord, openWithKeys } from "../../src/lib/vault";
import { fundEscrow, markContractSigned, openEscrow, parties } from "./helpers";

describe("vault key rotation", () => {
  it("re-wraps every stored record without touching ciphertexts; reveal still works", async () => {
    const { buyer, seller } = await parties();
    const e = await openEscrow(buyer, seller);
    await fundEscrow(buyer, e.id);
    await markContractSigned(e.id);
    const creds = { login: "owner", password: "rotate-me-123" };
    expect(
      (
        await call("POST", `/api/v1/escrows/${e.id}/deliver`, {
          token: seller.accessToken,
          body: { credentials: creds },
        })
      ).status,
    ).toBe(200);
    const before = (await escrowRoom(env, e.id).sealedRecord())!;

    const newKek = base64Encode(randomBytes(32));
    const report = await rotateEscrowVault(env, env.VAULT_KEK, newKek);
    expect(report.rewrapped).toContain(e.id);
    const after = (await escrowRoom(env, e.id).sealedRecord())!;
    expect(after.ciphertext).toBe(before.ciphertext);
    expect(after.wrappedKey).not.toBe(before.wrappedKey);
    expect(after.kekId).toBe(kekId(newKek));
    expect(JSON.parse(openRecord(newKek, e.id, after))).toEqual(creds);
    // Running it again changes nothing.
    expect((await rotateEscrowVault(env, env.VAULT_KEK, newKek)).alreadyCurrent).toContain(e.id);
    // During the switch-over both keys open (the new one as current, the old as previous).
    expect(JSON.parse(openWithKeys({ current: newKek, previous: env.VAULT_KEK }, e.id, after))).toEqual(creds);
    expect(JSON.parse(openWithKeys({ current: newKek, previous: env.VAULT_KEK }, e.id, before))).toEqual(creds);
    // The rotation is audited in the room's chain, with no key material.
    const trail = await escrowRoom(env, e.id).auditTrail();
    const rewrap = trail.find((ev) => ev.type === "escrow.vault_rewrapped");
    expect(rewrap?.data).toMatchObject({ kekId: kekId(newKek) });
    expect(JSON.stringify(trail)).not.toContain(newKek);
  });
});
