// The bench's reference: a bare Hono Worker answering every request with Escra's JSON envelope and nothing else
// (no middleware, no bindings). `npm run bench` serves it with the same wrangler/workerd as Escra, so each
// scenario's ratio to it isolates what Escra's own code costs on whatever machine the run happens on.
import { Hono } from "hono";

const app = new Hono();

app.all("*", (c) =>
  c.json({
    success: true,
    data: { status: "healthy", services: {}, pong: true },
    metadata: { timestamp: new Date().toISOString(), requestId: `req_${crypto.randomUUID()}`, version: "v1" },
  }),
);

export default app;
