// ListingRoom: the single writer of one marketplace listing (idFromName(listingId)). Every change — create, edit,
// proof, delete, submit, moderation, reservation and its outcome — is one command through the shared Aggregate:
// the transition from domain/listing-machine.ts, its hash-chained audit events and its outbox (D1 projection, then
// the catalog events) in one storage transaction; the alarm retries whatever did not go out.
import { correlatedStub, runCorrelated } from "./lib/correlated";
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../src/env";
import { fail } from "../src/lib/errors";
import type { AuditEntry } from "../src/lib/audit";
import type { AuditEvent } from "../src/domain/audit-chain";
import * as machine from "../src/domain/listing-machine";
import type {
  ListingActor,
  ListingEdit,
  ListingProof,
  ListingState,
  ListingTransition,
  Moderation,
  NewListing,
} from "../src/domain/listing-machine";
import { db } from "../src/db/client";
import { findListing, listingProjection } from "../src/db/listings";
import { isEventType } from "../src/domain/events";
import { Aggregate, type AggregateEvent, type CommandContext } from "./lib/aggregate";
import { rpcResult, type RpcResult } from "./lib/rpc-result";

/** Who is acting, as the route established it; the room decides their role on this listing. */
export interface ListingCaller {
  userId: string;
  isAdmin: boolean;
}

export class ListingRoom extends DurableObject<Bindings> {
  private readonly aggregate: Aggregate<ListingState>;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.aggregate = new Aggregate<ListingState>(ctx, env, { subjectType: "listing" });
  }

  /** The only alarm user is the outbox retry. */
  override async alarm(): Promise<void> {
    await this.aggregate.alarm();
  }

  /** RPC: runs one of this object's methods inside the caller's correlation id (see lib/correlated.ts). */
  async correlated(correlationId: string | null, method: string, args: unknown[]): Promise<unknown> {
    return runCorrelated(this, correlationId, method, args);
  }

  /** The listing, or null (unknown or deleted). */
  async get(listingId: string): Promise<ListingState | null> {
    const s = await this.current(listingId);
    return s && !s.deletedAt ? s : null;
  }

  async auditTrail(): Promise<AuditEvent[]> {
    return this.aggregate.auditTrail();
  }

  create(input: NewListing): Promise<RpcResult<ListingState>> {
    return rpcResult(() =>
      this.aggregate.execute(input.id, input.sellerId, (current, ctx) => {
        if (current) throw fail.conflict("Listing already exists");
        return this.decide(ctx, machine.createListing(input, ctx.now));
      }),
    );
  }

  edit(listingId: string, caller: ListingCaller, patch: ListingEdit): Promise<RpcResult<ListingState>> {
    return this.command(listingId, caller.userId, (s, now) =>
      machine.editListing(s, this.actor(s, caller), patch, now),
    );
  }

  /** Records a proof whose bytes the route already stored in R2 (it deletes them again if this refuses). */
  addProof(listingId: string, caller: ListingCaller, proof: ListingProof): Promise<RpcResult<ListingState>> {
    return this.command(listingId, caller.userId, (s, now) => machine.addProof(s, this.actor(s, caller), proof, now));
  }

  /** Deletes a draft or rejected listing; returns its proofs so the route can delete their bytes from R2. */
  remove(listingId: string, caller: ListingCaller): Promise<RpcResult<ListingState>> {
    return this.command(listingId, caller.userId, (s, now) => machine.deleteListing(s, this.actor(s, caller), now));
  }

  submit(listingId: string, caller: ListingCaller): Promise<RpcResult<ListingState>> {
    return this.command(listingId, caller.userId, (s, now) => machine.submitListing(s, this.actor(s, caller), now));
  }

  /** An admin's review; recorded in the admin audit log (D1) in the same projection batch. */
  moderate(
    listingId: string,
    caller: ListingCaller,
    kind: Moderation,
    reason: string | null,
  ): Promise<RpcResult<ListingState>> {
    const audit: AuditEntry = {
      action: `listing.${kind}`,
      actorId: caller.userId,
      resourceType: "listing",
      resourceId: listingId,
      data: { reason },
    };
    return this.command(
      listingId,
      caller.userId,
      (s, now) => machine.moderateListing(s, this.actor(s, caller), kind, reason, now),
      audit,
    );
  }

  /** A buyer opened `escrowId` on it: approved → reserved. The second of two racing buyers gets RES002. */
  reserve(listingId: string, escrowId: string, buyerId: string): Promise<RpcResult<ListingState>> {
    return this.command(listingId, buyerId, (s, now) => {
      if (s.sellerId === buyerId) throw fail.invalid([{ path: "listingId", message: "you cannot be your own seller" }]);
      return machine.reserveListing(s, escrowId, now);
    });
  }

  /**
   * The escrow holding the reservation completed (sell) or ended without a sale (unreserve). Idempotent: an escrow
   * that does not hold the reservation changes nothing, so a redelivered escrow event is harmless.
   */
  settle(listingId: string, escrowId: string, outcome: "sell" | "unreserve"): Promise<RpcResult<ListingState>> {
    return rpcResult(async () => {
      const s = await this.existing(listingId);
      if (!machine.settleReservation(s, escrowId, outcome, new Date().toISOString())) return s;
      return this.mutate(
        listingId,
        null,
        (cur, now) => machine.settleReservation(cur, escrowId, outcome, now) ?? { state: cur, events: [] },
      );
    });
  }

  private actor(s: ListingState, caller: ListingCaller): ListingActor {
    if (caller.userId === s.sellerId) return "seller";
    if (caller.isAdmin) return "admin";
    // Someone who is neither its seller nor an admin does not learn more than the catalog tells.
    throw fail.notFound("Listing");
  }

  /**
   * The room's state; a listing written to D1 before ListingRoom existed is adopted once (its D1 row becomes the
   * room's state, audited as listing.adopted) so it too changes only through here from then on.
   */
  private async current(listingId: string): Promise<ListingState | null> {
    const held = this.aggregate.load();
    if (held) return held;
    const row = await findListing(db(this.env.DB), listingId);
    if (!row) return null;
    return this.aggregate.execute(listingId, null, (current) => {
      const state = current ?? row;
      return {
        state,
        events: current ? [] : [{ type: "listing.adopted", data: { listingId, status: state.status }, publish: false }],
        projection: [],
        result: state,
      };
    });
  }

  private async existing(listingId: string): Promise<ListingState> {
    const s = await this.current(listingId);
    if (!s || s.deletedAt || s.id !== listingId) throw fail.notFound("Listing");
    return s;
  }

  private command(
    listingId: string,
    actorId: string | null,
    step: (s: ListingState, now: string) => ListingTransition,
    audit?: AuditEntry,
  ): Promise<RpcResult<ListingState>> {
    return rpcResult(async () => {
      await this.existing(listingId);
      return this.mutate(listingId, actorId, step, audit);
    });
  }

  private mutate(
    listingId: string,
    actorId: string | null,
    step: (s: ListingState, now: string) => ListingTransition,
    audit?: AuditEntry,
  ): Promise<ListingState> {
    return this.aggregate.execute(listingId, actorId, (current, ctx) => {
      if (!current || current.deletedAt) throw fail.notFound("Listing");
      return this.decide(ctx, step(current, ctx.now), audit);
    });
  }

  private decide(ctx: CommandContext, t: ListingTransition, audit?: AuditEntry) {
    const { state } = t;
    const data = {
      listingId: state.id,
      status: state.status,
      title: state.title,
      ...(state.escrowId ? { escrowId: state.escrowId } : {}),
      ...(state.reviewNote && state.status !== "approved" ? { reason: state.reviewNote } : {}),
    };
    const events = t.events.map(
      (type): AggregateEvent =>
        isEventType(type) ? { type, data, audience: [state.sellerId] } : { type, data, publish: false },
    );
    return { state, events, projection: listingProjection(this.env.DB, state, ctx.revision, audit), result: state };
  }
}

/** The room's RPC surface (its public methods), typed by the class' own signatures. */
export type ListingRoomApi = Pick<
  ListingRoom,
  Exclude<keyof ListingRoom, keyof DurableObject | "alarm" | "correlated">
>;

export function listingRoom(env: Bindings, listingId: string): ListingRoomApi {
  // Every call carries the caller's correlation id (durable-objects/lib/correlated.ts).
  return correlatedStub<ListingRoomApi>(env.LISTING_ROOM.get(env.LISTING_ROOM.idFromName(listingId)));
}
