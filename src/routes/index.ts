// Mounts every route module under its base path; the OpenAPI document is built from these.
import type { App } from "../app";
import { healthRoutes } from "./health";
import { registerDocs } from "./docs";
import { authRoutes } from "./auth";
import { jwksRoutes } from "./jwks";
import { authMfaRoutes } from "./auth-mfa";
import { authSessionRoutes } from "./auth-sessions";
import { authPasswordRoutes } from "./auth-password";
import { devRoutes } from "./dev";
import { adminDeadLetterRoutes } from "./admin-dead-letters";
import { liveRoutes } from "./live";
import { devEventRoutes } from "./dev-events";
import { contractRoutes } from "./contracts";
import { contractSignerRoutes } from "./contracts-signers";
import { contractAttachmentRoutes } from "./contracts-attachments";
import { templateRoutes } from "./templates";
import { anchorRoutes } from "./anchors";
import { verifyRoutes } from "./verify";
import { adminAnchoringRoutes } from "./admin-anchoring";
import { apiKeyRoutes } from "./api-keys";
import { adminUserRoutes } from "./admin-users";
import { userRoutes } from "./users";
import { teamRoutes } from "./teams";

export function mountRoutes(app: App) {
  app.route("/api/v1", healthRoutes);
  app.route("/api/v1", authRoutes);
  app.route("/api/v1", authMfaRoutes);
  app.route("/api/v1", authSessionRoutes);
  app.route("/api/v1", authPasswordRoutes);
  app.route("/", jwksRoutes);
  app.route("/api/v1", devRoutes);
  app.route("/api/v1", adminDeadLetterRoutes);
  app.route("/api/v1", liveRoutes);
  app.route("/api/v1", devEventRoutes);
  app.route("/api/v1", contractRoutes);
  app.route("/api/v1", contractSignerRoutes);
  app.route("/api/v1", contractAttachmentRoutes);
  app.route("/api/v1", templateRoutes);
  app.route("/api/v1", anchorRoutes);
  app.route("/api/v1", verifyRoutes);
  app.route("/api/v1", adminAnchoringRoutes);
  app.route("/api/v1", apiKeyRoutes);
  app.route("/api/v1", adminUserRoutes);
  app.route("/api/v1", userRoutes);
  app.route("/api/v1", teamRoutes);
  registerDocs(app);
}
