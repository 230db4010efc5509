// enqueueJob(): puts a background job on JOBS in the shape the dispatcher routes by kind.
import type { Bindings } from "../env";
import { newId } from "./ids";
import { queueMessage } from "./queue-messages";

export async function enqueueJob(
  env: Bindings,
  kind: string,
  payload: Record<string, unknown>,
  options: { id?: string; delaySeconds?: number } = {},
): Promise<{ id: string }> {
  const id = options.id ?? newId("msg");
  await env.JOBS.send(
    queueMessage("jobs", kind, id, payload),
    options.delaySeconds ? { delaySeconds: options.delaySeconds } : undefined,
  );
  return { id };
}
