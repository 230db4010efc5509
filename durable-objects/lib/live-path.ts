// The path on which every live room's Durable Object answers a WebSocket upgrade forwarded by the Worker.
export const LIVE_PATH = "/live";
