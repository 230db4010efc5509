// Every email Escra sends, as pure renderers: template name → { subject, text, html } in one branded layout.
// Templates describe content (heading, paragraphs, a code, an action); the layout alone writes HTML, escaping all data.
import { z } from "zod";

export interface RenderContext {
  /** e.g. https://app.escra.io — links in emails are built from it. */
  baseUrl: string;
  productName?: string;
}

/** The content blocks a template produces; the layout turns them into text and HTML parts. */
export interface EmailContent {
  subject: string;
  /** Shown by mail clients next to the subject. */
  preheader?: string;
  heading: string;
  paragraphs: string[];
  /** A one-time code, shown large. */
  code?: string;
  action?: { label: string; url: string };
  /** Label/value pairs shown as a small table under the paragraphs (e.g. document, deadline). */
  facts?: { label: string; value: string }[];
  /** Further links under the action, one per line (e.g. the executed document and the certificate). */
  links?: { label: string; url: string }[];
  /** Small print under the action (e.g. "If you did not ask for this, ignore this email."). */
  footnote?: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface EmailTemplate<S extends z.ZodType = z.ZodType> {
  schema: S;
  compose: (data: z.infer<S>, ctx: RenderContext) => EmailContent;
}

function defineTemplate<S extends z.ZodType>(
  schema: S,
  compose: (data: z.infer<S>, ctx: RenderContext) => EmailContent,
) {
  return { schema, compose } satisfies EmailTemplate<S>;
}

// ---- templates (add yours below with a surgical edit; keep them alphabetical by name) ----

/** Paragraphs a `notice` email may hold. */
export const NOTICE_MAX_LINES = 20;

export const EMAIL_TEMPLATES = {
  /** A contract was shared with this address (the person may not have an account yet). */
  "contract-shared": defineTemplate(
    z.object({
      contractId: z.string().min(1).max(40),
      title: z.string().min(1).max(300),
      sharedBy: z.string().min(1).max(200),
      permission: z.enum(["view", "edit"]),
    }),
    (d, ctx) => ({
      subject: `${d.sharedBy} shared "${d.title}" with you on Escra`,
      preheader: d.permission === "edit" ? "You can view and edit it" : "You can view it",
      heading: "A contract was shared with you",
      paragraphs: [
        `${d.sharedBy} shared the contract "${d.title}" with you; you can ${d.permission === "edit" ? "view and edit" : "view"} it.`,
        "Sign in (or create an account) with this email address to open it.",
      ],
      action: { label: "Open the contract", url: `${ctx.baseUrl}/contracts/${encodeURIComponent(d.contractId)}` },
    }),
  ),
  /** A contract is fully signed: every party (account or link) gets the executed document and certificate. */
  "contract-executed": defineTemplate(
    z.object({
      title: z.string().min(1).max(300),
      recipientName: z.string().min(1).max(200),
      /** The hosted page (with a fresh signing token for link parties), where both files download. */
      executedUrl: z.string().max(2000),
      certificateUrl: z.string().max(2000),
      documentHash: z.string().max(100).nullable(),
      /** SHA-256 of the executed PDF the links download (the execution record commits to it). */
      executedDocumentHash: z.string().max(100).nullable().optional(),
      executionHash: z.string().max(100).nullable(),
    }),
    (d) => ({
      subject: `Signed by everyone: "${d.title}"`,
      preheader: "Download the executed document and its certificate of completion",
      heading: "The document is fully signed",
      paragraphs: [
        `Hi ${d.recipientName}, every party has signed "${d.title}". Keep a copy of the executed document and its certificate of completion.`,
      ],
      facts: [
        ...(d.documentHash ? [{ label: "Document SHA-256", value: d.documentHash }] : []),
        ...(d.executedDocumentHash ? [{ label: "Executed document SHA-256", value: d.executedDocumentHash }] : []),
        ...(d.executionHash ? [{ label: "Execution hash", value: d.executionHash }] : []),
      ],
      action: { label: "Download the signed PDF", url: d.executedUrl },
      links: [{ label: "Download the certificate of completion", url: d.certificateUrl }],
      footnote: "The links are personal and work for 72 hours; do not forward this email.",
    }),
  ),
  /**
   * The asynchronous personal-data export is ready (GDPR Art. 15/20). The link is the authenticated download route:
   * it works for 24 hours and only when signed in as the account's owner, so a forwarded email discloses nothing.
   */
  "data-export-ready": defineTemplate(
    z.object({
      name: z.string().min(1).max(200),
      exportId: z.string().min(1).max(40),
      expiresAt: z.string().max(40),
      size: z.number().int().min(0),
    }),
    (d, ctx) => ({
      subject: "Your Escra data export is ready",
      preheader: "Download it within 24 hours",
      heading: "Your data export is ready",
      paragraphs: [
        `Hi ${d.name}, the copy of your personal data you asked for is ready: one JSON file, files as links.`,
        "Sign in to Escra to download it; the download link works until the time below, then the file is deleted.",
      ],
      facts: [
        { label: "Export", value: d.exportId },
        { label: "Size", value: `${Math.max(1, Math.ceil(d.size / 1024))} KB` },
        { label: "Available until", value: d.expiresAt },
      ],
      action: {
        label: "Download your data",
        url: `${ctx.baseUrl.replace(/\/$/, "")}/api/v1/users/me/exports/${encodeURIComponent(d.exportId)}/download`,
      },
      footnote: "If you did not ask for an export, change your password and review your sessions.",
    }),
  ),
  /** A general notice: notifications and operational messages that need no bespoke layout. */
  notice: defineTemplate(
    z.object({
      subject: z.string().min(1).max(200),
      heading: z.string().min(1).max(200),
      lines: z.array(z.string().max(5000)).max(NOTICE_MAX_LINES).default([]),
      action: z.object({ label: z.string().min(1).max(60), url: z.string().max(2000) }).optional(),
    }),
    (d) => ({ subject: d.subject, heading: d.heading, paragraphs: d.lines, action: d.action }),
  ),
  /** A password reset link; the token is single-use and expires in 30 minutes. */
  "password-reset": defineTemplate(
    z.object({
      name: z.string().min(1).max(200),
      token: z.string().min(20).max(100),
      expiresInMinutes: z.number().int(),
    }),
    (d, ctx) => ({
      subject: "Reset your Escra password",
      preheader: `This link expires in ${d.expiresInMinutes} minutes`,
      heading: "Reset your password",
      paragraphs: [
        `Hi ${d.name}, someone (hopefully you) asked to reset the password of your Escra account.`,
        `The link works once and expires in ${d.expiresInMinutes} minutes. Resetting signs you out everywhere.`,
        `Reset token: ${d.token}`,
      ],
      action: {
        label: "Choose a new password",
        url: `${ctx.baseUrl}/reset-password?token=${encodeURIComponent(d.token)}`,
      },
      footnote: "If you did not ask for this, ignore this email: your password stays as it is.",
    }),
  ),
  /**
   * A party's personal signing link: the signing request, a reminder, or a viewer's copy. Names who asks, their
   * message, the document and the deadline; the link (a button) carries the token, the text never shows it.
   */
  "signing-request": defineTemplate(
    z.object({
      kind: z.enum(["request", "reminder", "copy"]),
      role: z.enum(["signer", "approver", "viewer"]),
      title: z.string().min(1).max(300),
      recipientName: z.string().min(1).max(200),
      senderName: z.string().min(1).max(200),
      senderEmail: z.string().max(254).nullable(),
      message: z.string().max(2000).nullable().default(null),
      /** ISO time after which the contract expires, if any. */
      deadline: z.string().max(40).nullable(),
      url: z.string().max(2000),
      documentHash: z.string().max(100).nullable(),
    }),
    (d) => {
      const verb = d.role === "approver" ? "approve" : d.role === "signer" ? "sign" : "read";
      const sender = d.senderEmail ? `${d.senderName} (${d.senderEmail})` : d.senderName;
      const subject =
        d.kind === "copy"
          ? `${d.senderName} sent you a copy of "${d.title}"`
          : `${d.kind === "reminder" ? "Reminder: " : ""}${d.senderName} asks you to ${verb} "${d.title}"`;
      const deadline = d.deadline ? `${d.deadline.slice(0, 16).replace("T", " ")} UTC` : null;
      return {
        subject: subject.slice(0, 200),
        preheader: d.kind === "copy" ? "You receive a copy as a viewer" : `Review the document and ${verb} it online`,
        heading:
          d.kind === "copy"
            ? "A copy for you"
            : d.role === "approver"
              ? "Please review and approve"
              : "Please review and sign",
        paragraphs: [
          `Hi ${d.recipientName},`,
          d.kind === "copy"
            ? `${sender} sent you a copy of "${d.title}" to read. You do not need to do anything.`
            : `${sender} asks you to ${verb} "${d.title}".${d.kind === "reminder" ? " It is still waiting for you." : ""}`,
          ...(d.message ? [`Message from ${d.senderName}: “${d.message}”`] : []),
        ],
        facts: [
          { label: "Document", value: d.title },
          ...(deadline
            ? [
                {
                  label: d.kind === "copy" ? "Expires" : `${verb[0]!.toUpperCase()}${verb.slice(1)} by`,
                  value: deadline,
                },
              ]
            : []),
          ...(d.documentHash ? [{ label: "Document SHA-256", value: d.documentHash }] : []),
        ],
        action: { label: d.kind === "copy" ? "Read the document" : `Review and ${verb}`, url: d.url },
        footnote:
          "This link is personal and works for 72 hours: do not forward this email. If you did not expect it, you can ignore it.",
      };
    },
  ),
  /** An invitation to join a team; the invitee may not have an account yet. */
  "team-invitation": defineTemplate(
    z.object({
      teamName: z.string().min(1).max(100),
      inviterName: z.string().min(1).max(200),
      role: z.string().min(1).max(20),
      /** The single-use token; the link carries it, and API clients accept with POST /teams/invitations/{token}/accept. */
      token: z.string().min(20).max(100),
      expiresAt: z.string(),
    }),
    (d, ctx) => ({
      subject: `${d.inviterName} invited you to ${d.teamName} on Escra`,
      preheader: `Join ${d.teamName} as ${d.role}`,
      heading: `Join ${d.teamName}`,
      paragraphs: [
        `${d.inviterName} invited you to the team ${d.teamName} as ${d.role}.`,
        "Sign in (or create an account) with this email address, then accept the invitation.",
        `Invitation token: ${d.token}`,
      ],
      action: { label: "Accept invitation", url: `${ctx.baseUrl}/teams/invitations/${encodeURIComponent(d.token)}` },
      footnote: `The invitation expires on ${d.expiresAt}. If you do not know ${d.inviterName}, ignore this email.`,
    }),
  ),
  /** The 6-digit code that confirms a new account's email address (10 minutes, 5 attempts). */
  "verify-email": defineTemplate(
    z.object({
      name: z.string().min(1).max(200),
      code: z.string().regex(/^\d{6}$/),
      expiresInMinutes: z.number().int(),
    }),
    (d) => ({
      subject: "Your Escra verification code",
      preheader: `It expires in ${d.expiresInMinutes} minutes`,
      heading: "Confirm your email address",
      paragraphs: [`Hi ${d.name}, enter this code in Escra to confirm your email address.`],
      code: d.code,
      footnote: `The code expires in ${d.expiresInMinutes} minutes. If you did not create an Escra account, ignore this email.`,
    }),
  ),
} as const;

export type EmailTemplateName = keyof typeof EMAIL_TEMPLATES;
/** What a caller passes as `data` for a template (defaults applied at render). */
export type EmailTemplateData<N extends EmailTemplateName> = z.input<(typeof EMAIL_TEMPLATES)[N]["schema"]>;

export function isEmailTemplateName(name: string): name is EmailTemplateName {
  return Object.hasOwn(EMAIL_TEMPLATES, name);
}

export class EmailTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmailTemplateError";
  }
}

/** Validates `data` for a template; throws EmailTemplateError naming the failing paths (never their values). */
export function parseTemplateData<N extends EmailTemplateName>(name: N | string, data: unknown) {
  if (!isEmailTemplateName(name)) throw new EmailTemplateError(`unknown email template "${name}"`);
  const parsed = EMAIL_TEMPLATES[name].schema.safeParse(data);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => i.path.map(String).join(".") || "(root)");
    throw new EmailTemplateError(`invalid data for email template "${name}": ${paths.join(", ")}`);
  }
  return parsed.data;
}

export function renderEmail(name: EmailTemplateName | string, data: unknown, ctx: RenderContext): RenderedEmail {
  const valid = parseTemplateData(name, data);
  // The registry is keyed by name; the cast re-joins the name with its own schema's output type.
  const template = EMAIL_TEMPLATES[name as EmailTemplateName] as EmailTemplate;
  return renderLayout(template.compose(valid, ctx), ctx);
}

// ---- layout ----

// Text colours pass WCAG AA on white (muted 4.8:1, accent 5.5:1, also as the button's background under white text).
const BRAND = { ink: "#0f172a", muted: "#55657a", accent: "#0f766e", background: "#f1f5f9", card: "#ffffff" };
/** Long unbroken values (hashes, URLs) wrap instead of widening the email past a phone's screen. */
const WRAP = "overflow-wrap:anywhere;word-break:break-word";

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Only absolute http(s) URLs become links; anything else (javascript:, data:) is dropped. */
export function safeUrl(url: string, baseUrl: string): string | null {
  try {
    const resolved = new URL(url, baseUrl);
    return resolved.protocol === "https:" || resolved.protocol === "http:" ? resolved.toString() : null;
  } catch {
    return null;
  }
}

export function renderLayout(content: EmailContent, ctx: RenderContext): RenderedEmail {
  const product = ctx.productName ?? "Escra";
  const actionUrl = content.action ? safeUrl(content.action.url, ctx.baseUrl) : null;
  const links = (content.links ?? []).flatMap((l) => {
    const url = safeUrl(l.url, ctx.baseUrl);
    return url ? [{ label: l.label, url }] : [];
  });

  const text = [
    content.heading,
    "",
    ...content.paragraphs.flatMap((p) => [p, ""]),
    ...(content.facts?.length ? [...content.facts.map((f) => `${f.label}: ${f.value}`), ""] : []),
    ...(content.code ? [`Your code: ${content.code}`, ""] : []),
    ...(content.action && actionUrl ? [`${content.action.label}: ${actionUrl}`, ""] : []),
    ...links.flatMap((l) => [`${l.label}: ${l.url}`, ""]),
    ...(content.footnote ? [content.footnote, ""] : []),
    "—",
    `${product} · ${ctx.baseUrl}`,
  ].join("\n");

  const e = escapeHtml;
  const paragraphs = content.paragraphs
    .map((p) => `<p style="margin:0 0 16px;font-size:15px;line-height:24px;color:${BRAND.ink};${WRAP}">${e(p)}</p>`)
    .join("");
  const facts = content.facts?.length
    ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 20px;border-top:1px solid #e2e8f0">${content.facts
        .map(
          (f) =>
            `<tr><td style="padding:8px 0;border-bottom:1px solid #e2e8f0;font-size:13px;line-height:20px;${WRAP}"><span style="color:${BRAND.muted}">${e(f.label)}</span><br><span style="color:${BRAND.ink}">${e(f.value)}</span></td></tr>`,
        )
        .join("")}</table>`
    : "";
  const moreLinks = links
    .map(
      (l) =>
        `<p style="margin:0 0 16px;font-size:15px;line-height:24px;${WRAP}"><a href="${e(l.url)}" style="color:${BRAND.accent};font-weight:600">${e(l.label)}</a></p>`,
    )
    .join("");
  const code = content.code
    ? `<p style="margin:8px 0 24px;font-size:30px;letter-spacing:6px;font-weight:700;font-family:Menlo,Consolas,monospace;color:${BRAND.ink}">${e(content.code)}</p>`
    : "";
  const action =
    content.action && actionUrl
      ? `<p style="margin:8px 0 24px"><a href="${e(actionUrl)}" style="display:inline-block;background:${BRAND.accent};color:#ffffff;text-decoration:none;font-weight:600;font-size:15px;padding:12px 22px;border-radius:6px">${e(content.action.label)}</a></p>`
      : "";
  const footnote = content.footnote
    ? `<p style="margin:0;font-size:13px;line-height:20px;color:${BRAND.muted}">${e(content.footnote)}</p>`
    : "";
  const preheader = content.preheader
    ? `<div style="display:none;max-height:0;overflow:hidden">${e(content.preheader)}</div>`
    : "";

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(content.subject)}</title></head>
<body style="margin:0;padding:0;background:${BRAND.background};font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">${preheader}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:${BRAND.background};padding:24px 8px"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px">
<tr><td style="padding:0 0 16px;font-size:20px;font-weight:700;color:${BRAND.accent}">${e(product)}</td></tr>
<tr><td style="background:${BRAND.card};border-radius:10px;padding:24px 20px;border-top:4px solid ${BRAND.accent}">
<h1 style="margin:0 0 20px;font-size:22px;line-height:30px;color:${BRAND.ink};${WRAP}">${e(content.heading)}</h1>
${paragraphs}${facts}${code}${action}${moreLinks}${footnote}
</td></tr>
<tr><td style="padding:16px 4px;font-size:12px;color:${BRAND.muted}">${e(product)} · <a href="${e(ctx.baseUrl)}" style="color:${BRAND.muted}">${e(ctx.baseUrl)}</a></td></tr>
</table></td></tr></table></body></html>`;

  return { subject: content.subject, text, html };
}
