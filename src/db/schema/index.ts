// Every table of the D1 projection; drizzle-kit generates migrations/ from these modules.
export * from "./system";
export * from "./email";
export * from "./events";
