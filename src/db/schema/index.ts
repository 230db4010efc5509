// Every table of the D1 projection; drizzle-kit generates migrations/ from these modules.
export * from "./system";
export * from "./email";
export * from "./events";
export * from "./teams";
export * from "./preferences";
export * from "./idempotency";
export * from "./identity";
export * from "./audit";
export * from "./anchoring";
export * from "./contracts";
export * from "./templates";
export * from "./webhooks";
export * from "./notifications";
export * from "./escrows";
export * from "./workflows";
export * from "./listings";
export * from "./signing";
