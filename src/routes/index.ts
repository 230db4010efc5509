// Mounts every route module under its base path; the OpenAPI document is built from these.
import type { App } from "../app";
import { healthRoutes } from "./health";
import { registerDocs } from "./docs";

export function mountRoutes(app: App) {
  app.route("/api/v1", healthRoutes);
  registerDocs(app);
}
