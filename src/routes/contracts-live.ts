// GET /contracts/:id/live: the contract room over a WebSocket (shared hub protocol). The room admits whoever may
// see the contract (owner, team, shares, parties, admins) and closes others with 4003.
import { createRouter } from "../lib/router";
import { forwardToLiveRoom, liveRoute } from "../lib/live";
import { contractIdParam } from "../schemas/contracts";

const route = liveRoute({
  path: "/contracts/{id}/live",
  tags: ["Contracts"],
  summary: "The contract's live room (WebSocket): every state change as it happens",
  params: contractIdParam,
});

export const contractLiveRoutes = createRouter().openapi(route, (c) =>
  forwardToLiveRoom(c, c.env.CONTRACT_ROOM, c.req.valid("param").id),
);
