// The escrow as API.md shows it to parties and admins: built from the room's state or the D1 row alike, by picking
// the fields of its one schema (schemas/escrows.ts escrowSchema).
import type { z } from "@hono/zod-openapi";
import type { EscrowState } from "./escrow-machine";
import { escrowSchema } from "../schemas/escrows";
import { viewPicker } from "../lib/view";

export type EscrowView = z.infer<typeof escrowSchema>;

/** Picks the view's fields from anything shaped like it (the room's state, or a D1 row with its nested parts). */
export const escrowFields = viewPicker(escrowSchema);

export function escrowView(s: EscrowState): EscrowView {
  return escrowFields(s);
}
