// ANCHOR_NETWORKS: the EVM networks we anchor on, parsed and validated once.
import { z } from "zod";

export const anchorNetworkSchema = z.object({
  name: z.string().min(1),
  chainId: z.number().int().positive(),
  rpcUrl: z.string().url(),
  confirmations: z.number().int().min(1).max(1000).default(1),
});
export type AnchorNetwork = z.infer<typeof anchorNetworkSchema>;

export function anchorNetworks(raw: string | undefined): AnchorNetwork[] {
  if (!raw) return [];
  return z.array(anchorNetworkSchema).parse(JSON.parse(raw));
}
