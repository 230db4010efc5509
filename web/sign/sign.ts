// The hosted signing page (/sign/<contractId>?token=…, built to public/sign-assets/sign.js by scripts/sign-assets.ts):
// reads the signer view with the link's token (X-Signing-Token), renders the frozen PDF with pdf.js, takes a
// typed, drawn or uploaded signature — or an EIP-712 signature from the signer's browser wallet (EIP-1193) — with
// explicit consent in the wording the API serves, and signs, approves or declines. Every outcome — an expired, used,
// cancelled or not-your-turn link included — is a page a person can read, never a JSON error.
import * as pdfjs from "pdfjs-dist";
import SignaturePad from "signature_pad";
import { walletTypedDataJson } from "../../src/domain/wallet-typed-data.ts";

pdfjs.GlobalWorkerOptions.workerSrc = "/sign-assets/pdf.worker.min.mjs";

type Role = "signer" | "approver" | "viewer";
interface Party {
  id: string;
  name: string;
  email: string;
  role: Role;
  order: number;
  status: "waiting" | "notified" | "signed" | "declined";
  signedAt: string | null;
}
interface SignerView {
  id: string;
  title: string;
  description: string | null;
  status: "draft" | "pending" | "active" | "completed" | "cancelled" | "expired";
  body: string;
  documentHash: string | null;
  expiresAt: string | null;
  cancelReason: string | null;
  signers: Party[];
  party: {
    signerId: string;
    role: Role;
    status: Party["status"];
    mayAct: boolean;
    requestedBy: { name: string; email: string } | null;
    /** The ESIGN/eIDAS consent to show, word for word (src/domain/consent.ts, served by the API). */
    consent: { version: string; text: string };
  };
}
interface ApiFailure {
  status: number;
  code: string;
  message: string;
}

const app = document.getElementById("app")!;
const contractId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] ?? "");
const query = new URLSearchParams(location.search);
const token = query.get("token") ?? "";
/** `download=executed|certificate`: the links of the "fully signed" email start that download at once. */
const autoDownload = query.get("download");
const API = `/api/v1/contracts/${encodeURIComponent(contractId)}`;

// ---- tiny DOM helpers (text is always set as text, never as HTML) ----

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean> = {},
  ...children: Child[]
) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false) continue;
    if (key === "class") el.className = String(value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

function show(...sections: HTMLElement[]) {
  app.replaceChildren(...sections);
  const heading = app.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "";

function notice(kind: "bad" | "good" | "info", title: string, ...lines: Child[]) {
  return h(
    "section",
    { class: `card notice ${kind === "info" ? "" : kind}` },
    h("h1", {}, title),
    ...lines.map((l) => (typeof l === "string" ? h("p", {}, l) : l)),
  );
}

// ---- the API, with the token instead of an account ----

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { "x-signing-token": token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => null)) as {
    success?: boolean;
    data?: T;
    error?: { code: string; message: string };
  } | null;
  if (!res.ok || !json?.success) {
    throw {
      status: res.status,
      code: json?.error?.code ?? "SYS001",
      message: json?.error?.message ?? res.statusText,
    } satisfies ApiFailure;
  }
  return json.data as T;
}

async function download(path: string): Promise<Blob> {
  const res = await fetch(`${API}${path}`, { headers: { "x-signing-token": token } });
  if (!res.ok)
    throw { status: res.status, code: "DOWNLOAD", message: `download failed (${res.status})` } satisfies ApiFailure;
  return res.blob();
}

// ---- pages for links that cannot be used ----

function unusable(failure: ApiFailure) {
  if (failure.code === "AUTH002" || failure.code === "AUTH004") {
    return show(
      notice(
        "bad",
        "This signing link has expired or is not valid",
        "Signing links are personal and work for a limited time (72 hours). This one can no longer be used.",
        "Ask the person who sent you the document to send it again; you will receive a new link by email.",
      ),
    );
  }
  if (failure.code === "RES001" || failure.code === "VAL001") {
    return show(
      notice(
        "bad",
        "We cannot find this document",
        "The link may be incomplete, or the sender withdrew the document. Ask the sender for a new link.",
      ),
    );
  }
  if (failure.code === "RATE001")
    return show(notice("bad", "Too many attempts", "Please wait a minute and reload this page."));
  return show(
    notice(
      "bad",
      "Something went wrong",
      "We could not open the document just now. Please reload the page in a moment.",
    ),
  );
}

// ---- the pieces of the signing page ----

function summary(view: SignerView) {
  const asker = view.party.requestedBy;
  const verb = view.party.role === "approver" ? "approve" : view.party.role === "signer" ? "sign" : "read";
  const me = view.signers.find((s) => s.id === view.party.signerId)!;
  return h(
    "section",
    { class: "card" },
    h("h1", {}, view.title),
    h(
      "p",
      {},
      asker
        ? `${asker.name} (${asker.email}) asks you, ${me.name}, to ${verb} this document.`
        : `You are asked to ${verb} this document.`,
    ),
    view.description ? h("p", { class: "muted" }, view.description) : null,
    h(
      "dl",
      { class: "meta" },
      h("dt", {}, "Your role"),
      h("dd", {}, me.role),
      view.expiresAt ? h("dt", {}, "Sign before") : null,
      view.expiresAt ? h("dd", {}, when(view.expiresAt)) : null,
      view.documentHash ? h("dt", {}, "Document SHA-256") : null,
      view.documentHash ? h("dd", { class: "muted" }, view.documentHash) : null,
    ),
  );
}

function parties(view: SignerView) {
  const sorted = [...view.signers].sort((a, b) => a.order - b.order);
  const label: Record<Party["status"], string> = {
    waiting: "waiting",
    notified: "to act",
    signed: "done",
    declined: "declined",
  };
  return h(
    "section",
    { class: "card", "aria-labelledby": "parties-h" },
    h("h2", { id: "parties-h" }, "Parties"),
    h(
      "ul",
      { class: "parties" },
      ...sorted.map((s) =>
        h(
          "li",
          {},
          h("span", {}, `${s.order}. ${s.name}${s.id === view.party.signerId ? " (you)" : ""} — ${s.role}`),
          h(
            "span",
            { class: `badge ${s.status === "signed" ? "signed" : s.status === "declined" ? "declined" : ""}` },
            label[s.status],
          ),
        ),
      ),
    ),
  );
}

async function documentSection(view: SignerView) {
  const holder = h("div", {
    class: "doc",
    role: "region",
    "aria-label": `The document "${view.title}", as PDF pages`,
    tabindex: "0",
  });
  const status = h("p", { class: "muted", id: "doc-status" }, "Loading the document…");
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "doc-h" },
    h("h2", { id: "doc-h" }, "Document"),
    status,
    holder,
    h("details", {}, h("summary", {}, "Read the text of the document"), h("pre", { class: "doc-text" }, view.body)),
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", class: "secondary", id: "download-doc" }, "Download the PDF"),
    ),
  );
  section.querySelector("#download-doc")!.addEventListener("click", () => saveAs("/document", `${view.title}.pdf`));
  void renderPdf(holder, status);
  return section;
}

async function renderPdf(holder: HTMLElement, status: HTMLElement) {
  try {
    const data = new Uint8Array(await (await download("/document")).arrayBuffer());
    // Nothing is fetched from elsewhere: the page runs under a strict CSP (public/_headers).
    const pdf = await pdfjs.getDocument({ data, useSystemFonts: true }).promise;
    const width = Math.min(holder.clientWidth || 800, 1200);
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const base = page.getViewport({ scale: 1 });
      const scale = (width / base.width) * Math.min(window.devicePixelRatio || 1, 2);
      const viewport = page.getViewport({ scale });
      const canvas = h("canvas", { "aria-label": `Page ${n} of ${pdf.numPages}`, role: "img", "data-page": String(n) });
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      holder.append(canvas);
      await page.render({ canvas, canvasContext: canvas.getContext("2d")!, viewport }).promise;
    }
    status.textContent = `${pdf.numPages} page${pdf.numPages === 1 ? "" : "s"}. Scroll to read the whole document.`;
    holder.dataset.rendered = String(pdf.numPages);
  } catch {
    status.textContent = "The document could not be shown here; download it or read its text below.";
    status.className = "error";
  }
}

async function saveAs(path: string, filename: string) {
  const blob = await download(path);
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename.replace(/[\\/:*?"<>|]+/g, "_") });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- a browser wallet (EIP-1193), for EIP-712 signatures ----

/** EIP-1193's provider interface, as wallets inject it at `window.ethereum`. */
interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}
/** EIP-1193 §provider errors: 4001 = the person rejected the request in their wallet. */
interface ProviderError {
  code?: number;
  message?: string;
}

const injectedWallet = () => (window as unknown as { ethereum?: Eip1193Provider }).ethereum ?? null;

/** The first account the wallet lets this page use (EIP-1102 `eth_requestAccounts` opens the wallet's prompt). */
async function connectWallet(wallet: Eip1193Provider): Promise<string> {
  const accounts = (await wallet.request({ method: "eth_requestAccounts" })) as string[];
  const address = accounts?.[0];
  if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address)) throw { message: "the wallet returned no account" };
  return address;
}

function walletFailure(err: unknown): string {
  const e = err as ProviderError;
  if (e?.code === 4001) return "You declined the request in your wallet. Try again when you are ready.";
  if (e?.code === -32002) return "Your wallet is already asking you something: open it and answer first.";
  return `Your wallet could not do this${e?.message ? ` (${e.message})` : ""}. Please try again.`;
}

function signForm(view: SignerView) {
  const me = view.signers.find((s) => s.id === view.party.signerId)!;
  const error = h("p", { class: "error", role: "alert", id: "sign-error" });
  const typed = h("input", { type: "text", id: "typed-name", autocomplete: "name", maxlength: "200", value: me.name });
  const preview = h("div", { class: "typed-preview", "aria-hidden": "true" }, me.name);
  typed.addEventListener("input", () => (preview.textContent = (typed as HTMLInputElement).value));
  const padCanvas = h("canvas", {
    id: "signature-pad",
    "aria-label": "Drawing area: draw your signature with a mouse, finger or pen",
  });
  const upload = h("input", { type: "file", id: "signature-upload", accept: "image/png,image/jpeg" });
  // Read once the form is built: wallets inject their provider at document start, before this script runs.
  const wallet = injectedWallet();
  let walletAddress: string | null = null;
  const walletStatus = h("p", { id: "wallet-status", role: "status" }, "No wallet connected yet.");
  const connectButton = h("button", { type: "button", class: "secondary", id: "wallet-connect" }, "Connect a wallet");
  connectButton.addEventListener("click", async () => {
    if (!wallet) return;
    error.textContent = "";
    connectButton.setAttribute("disabled", "");
    try {
      walletAddress = await connectWallet(wallet);
      walletStatus.textContent = `Connected: ${walletAddress}. Signing asks your wallet to sign this document.`;
      connectButton.textContent = "Connected";
    } catch (err) {
      connectButton.removeAttribute("disabled");
      error.textContent = walletFailure(err);
    }
  });
  const panes = {
    typed: h(
      "div",
      { "data-pane": "typed" },
      h("label", { class: "field", for: "typed-name" }, "Type your full name"),
      typed,
      preview,
    ),
    drawn: h(
      "div",
      { "data-pane": "drawn", hidden: true },
      h("p", { class: "muted", id: "pad-help" }, "Draw your signature in the box."),
      h("div", { class: "pad-wrap" }, padCanvas),
      h("div", { class: "row" }, h("button", { type: "button", class: "secondary", id: "pad-clear" }, "Clear")),
    ),
    uploaded: h(
      "div",
      { "data-pane": "uploaded", hidden: true },
      h(
        "label",
        { class: "field", for: "signature-upload" },
        "Upload an image of your signature (PNG or JPEG, up to 1 MB)",
      ),
      upload,
    ),
    wallet: h(
      "div",
      { "data-pane": "wallet", hidden: true },
      h(
        "p",
        { class: "muted" },
        "Your wallet signs this contract, its exact document (by its SHA-256) and your email as EIP-712 typed data. " +
          "It costs nothing and sends no transaction.",
      ),
      walletStatus,
      h("div", { class: "row" }, connectButton),
    ),
  };
  const choice = (value: keyof typeof panes, text: string, checked = false, disabled = false, describedBy = "") =>
    h(
      "label",
      { class: disabled ? "disabled" : "" },
      h("input", {
        type: "radio",
        name: "kind",
        value,
        checked,
        disabled,
        ...(describedBy ? { "aria-describedby": describedBy } : {}),
      }),
      h("span", {}, text),
    );
  // No wallet: the option stays visible, disabled, and says why (a screen reader reads the reason with the option).
  const noWallet = wallet
    ? null
    : h(
        "p",
        { class: "muted", id: "wallet-missing" },
        "Signing with a wallet needs a browser wallet (an Ethereum wallet extension such as MetaMask, or the browser " +
          "built into a wallet app). None was found in this browser, so you can type, draw or upload your signature.",
      );
  const consent = h("input", { type: "checkbox", id: "consent" });
  const signButton = h("button", { type: "submit", id: "sign" }, "Sign the document");
  const form = h(
    "form",
    { class: "card", "aria-labelledby": "sign-h", novalidate: true },
    h("h2", { id: "sign-h" }, "Your signature"),
    h(
      "fieldset",
      {},
      h("legend", {}, "How do you want to sign?"),
      h(
        "div",
        { class: "tabs" },
        choice("typed", "Type", true),
        choice("drawn", "Draw"),
        choice("uploaded", "Upload"),
        choice("wallet", "Wallet", false, !wallet, wallet ? "" : "wallet-missing"),
      ),
      noWallet,
    ),
    panes.typed,
    panes.drawn,
    panes.uploaded,
    panes.wallet,
    h("div", { class: "consent" }, consent, h("label", { for: "consent" }, view.party.consent.text)),
    error,
    h("div", { class: "row" }, signButton),
  );

  let pad: SignaturePad | null = null;
  const sizePad = () => {
    if (!pad) return;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    padCanvas.width = padCanvas.offsetWidth * ratio;
    padCanvas.height = padCanvas.offsetHeight * ratio;
    padCanvas.getContext("2d")!.scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  };
  form.querySelectorAll<HTMLInputElement>('input[name="kind"]').forEach((radio) =>
    radio.addEventListener("change", () => {
      for (const [name, pane] of Object.entries(panes)) pane.hidden = name !== radio.value;
      if (radio.value === "drawn" && !pad) {
        pad = new SignaturePad(padCanvas as HTMLCanvasElement, {
          penColor: "#14213d",
          backgroundColor: "rgba(255,255,255,0)",
        });
        sizePad();
        window.addEventListener("resize", sizePad);
      }
    }),
  );
  form.querySelector("#pad-clear")!.addEventListener("click", () => pad?.clear());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const kind = (form.querySelector<HTMLInputElement>('input[name="kind"]:checked')?.value ??
      "typed") as keyof typeof panes;
    if (!(consent as HTMLInputElement).checked) {
      error.textContent = "Please tick the box to agree to sign electronically.";
      return consent.focus();
    }
    let signature: Record<string, string>;
    if (kind === "typed") {
      const value = (typed as HTMLInputElement).value.trim();
      if (!value) {
        error.textContent = "Please type your name.";
        return typed.focus();
      }
      signature = { type: "typed", value, font: "caveat" };
    } else if (kind === "drawn") {
      if (!pad || pad.isEmpty()) {
        error.textContent = "Please draw your signature in the box.";
        return padCanvas.focus();
      }
      signature = { type: "drawn", value: pad.toDataURL("image/png") };
    } else if (kind === "uploaded") {
      const file = (upload as HTMLInputElement).files?.[0];
      if (!file || file.size > 1024 * 1024 || !/^image\/(png|jpeg)$/.test(file.type)) {
        error.textContent = "Please choose a PNG or JPEG image of at most 1 MB.";
        return upload.focus();
      }
      signature = { type: "uploaded", value: await asDataUrl(file) };
    } else {
      if (!wallet || !walletAddress || !view.documentHash) {
        error.textContent = "Please connect your wallet first.";
        return connectButton.focus();
      }
      signButton.setAttribute("disabled", "");
      signButton.textContent = "Confirm in your wallet…";
      try {
        // The wallet hashes and shows the typed data itself; the API verifies the same structure
        // (src/domain/wallet-typed-data.ts), so nothing is hashed here.
        const value = (await wallet.request({
          method: "eth_signTypedData_v4",
          params: [walletAddress, walletTypedDataJson(view.id, view.documentHash, me.email)],
        })) as string;
        signature = { type: "wallet", value, address: walletAddress };
      } catch (err) {
        signButton.removeAttribute("disabled");
        signButton.textContent = "Sign the document";
        error.textContent = walletFailure(err);
        return signButton.focus();
      }
    }
    signButton.setAttribute("disabled", "");
    signButton.textContent = "Signing…";
    try {
      await api("POST", "/sign", { signature, consent: true });
      await load("signed");
    } catch (failure) {
      signButton.removeAttribute("disabled");
      signButton.textContent = "Sign the document";
      actionFailed(failure as ApiFailure, error);
    }
  });
  return form;
}

function asDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function approveForm() {
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "button", id: "approve" }, "Approve the document");
  button.addEventListener("click", async () => {
    button.setAttribute("disabled", "");
    try {
      await api("POST", "/approve");
      await load("approved");
    } catch (failure) {
      button.removeAttribute("disabled");
      actionFailed(failure as ApiFailure, error);
    }
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "approve-h" },
    h("h2", { id: "approve-h" }, "Your approval"),
    h("p", {}, "Approving lets the document go on to the signers. You can also decline it below."),
    error,
    h("div", { class: "row" }, button),
  );
}

function declineForm() {
  const reason = h("textarea", { id: "decline-reason", maxlength: "2000", required: true });
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit", class: "danger", id: "decline" }, "Decline");
  const form = h(
    "form",
    { novalidate: true },
    h("label", { class: "field", for: "decline-reason" }, "Why do you decline? The sender will see your reason."),
    reason,
    error,
    h("div", { class: "row" }, button),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const why = (reason as HTMLTextAreaElement).value.trim();
    if (!why) {
      error.textContent = "Please give a reason.";
      return reason.focus();
    }
    button.setAttribute("disabled", "");
    try {
      await api("POST", "/decline", { reason: why });
      await load("declined");
    } catch (failure) {
      button.removeAttribute("disabled");
      actionFailed(failure as ApiFailure, error);
    }
  });
  return h("section", { class: "card" }, h("details", {}, h("summary", {}, "Decline to sign"), form));
}

function actionFailed(failure: ApiFailure, error: HTMLElement) {
  if (failure.code === "RES002") {
    // The contract moved on meanwhile (someone declined, the sender cancelled): show where it stands now.
    void load();
    return;
  }
  if (failure.code === "AUTH002" || failure.code === "RES001") return unusable(failure);
  error.textContent =
    failure.code === "VAL001"
      ? `That did not work: ${failure.message}. Please check and try again.`
      : "That did not work. Please try again.";
}

function executedSection(view: SignerView) {
  const section = h(
    "section",
    { class: "card notice good", "aria-labelledby": "done-h" },
    h("h2", { id: "done-h" }, "The document is fully signed"),
    h("p", {}, "Every party signed. Keep a copy of the executed document and its certificate of completion."),
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", id: "download-executed" }, "Download the signed PDF"),
      h("button", { type: "button", class: "secondary", id: "download-certificate" }, "Download the certificate"),
    ),
  );
  section.querySelector("#download-executed")!.addEventListener("click", async () => {
    // The executed (sealed) document; where a deployment does not offer it yet, the frozen document it seals.
    try {
      await saveAs("/executed-document", `${view.title} (signed).pdf`);
    } catch {
      await saveAs("/document", `${view.title}.pdf`);
    }
  });
  section
    .querySelector("#download-certificate")!
    .addEventListener("click", () => saveAs("/certificate", `${view.title} (certificate).pdf`));
  return section;
}

// ---- the page for each state of the link ----

type Outcome = "signed" | "approved" | "declined";

async function load(justDid?: Outcome) {
  let view: SignerView;
  try {
    view = await api<SignerView>("GET", "");
  } catch (failure) {
    return unusable(failure as ApiFailure);
  }
  document.title = `${view.title} — Escra`;
  const me = view.signers.find((s) => s.id === view.party.signerId)!;
  const confirmation = justDid
    ? notice(
        "good",
        justDid === "signed"
          ? "Thank you — you signed"
          : justDid === "approved"
            ? "Thank you — you approved"
            : "You declined",
        justDid === "declined"
          ? "The sender has been told, with your reason. Nobody can sign this document any more."
          : view.status === "active" || view.status === "completed"
            ? "Every party has now signed. You will also receive the signed document by email."
            : "We will email you the signed document once every party has signed. You can close this page.",
      )
    : null;

  if (view.status === "active" || view.status === "completed") {
    if (autoDownload === "executed" || autoDownload === "certificate") {
      // Once per visit: a reload of the page should not download again.
      history.replaceState(null, "", `${location.pathname}?token=${encodeURIComponent(token)}`);
      setTimeout(() => (document.getElementById(`download-${autoDownload}`) as HTMLButtonElement | null)?.click(), 0);
    }
    return show(
      ...([
        confirmation ?? notice("good", view.title, "This document is fully signed."),
        executedSection(view),
        parties(view),
      ].filter(Boolean) as HTMLElement[]),
    );
  }
  if (view.status === "cancelled") {
    const declined = view.signers.find((s) => s.status === "declined");
    return show(
      confirmation ??
        notice(
          "bad",
          "This document was cancelled",
          declined ? `${declined.id === me.id ? "You" : declined.name} declined it.` : "The sender cancelled it.",
          view.cancelReason ? `Reason: ${view.cancelReason}` : null,
          "There is nothing to sign any more. If you think this is a mistake, contact the sender.",
        ),
      parties(view),
    );
  }
  if (view.status === "expired") {
    return show(
      notice(
        "bad",
        "This document expired",
        "The deadline passed before every party signed. Ask the sender to send it again.",
      ),
      parties(view),
    );
  }
  if (view.status !== "pending")
    return show(notice("bad", "This document is not out for signature", "Ask the sender for a new link."));
  if (me.role === "viewer") {
    return show(
      notice(
        "info",
        "A copy for you",
        "You receive this document to read; you do not need to sign it. We will email you the signed document once every party has signed.",
      ),
      summary(view),
      await documentSection(view),
      parties(view),
    );
  }
  if (me.status === "signed") {
    return show(
      confirmation ??
        notice(
          "good",
          "You already acted on this document",
          `Done on ${when(me.signedAt)}. We will email you the signed document once every party has signed.`,
        ),
      parties(view),
    );
  }
  if (!view.party.mayAct) {
    const waitingFor = view.signers
      .filter((s) => s.role !== "viewer" && s.status !== "signed" && s.order < me.order)
      .map((s) => s.name);
    return show(
      notice(
        "info",
        "It is not your turn yet",
        waitingFor.length
          ? `This document is waiting for ${waitingFor.join(", ")} first.`
          : "Other parties act before you.",
        "We will email you when it is your turn; you can read the document below meanwhile.",
      ),
      summary(view),
      await documentSection(view),
      parties(view),
    );
  }
  const act = view.party.role === "approver" ? approveForm() : signForm(view);
  show(summary(view), await documentSection(view), parties(view), act, declineForm());
}

if (!contractId || !token) {
  show(
    notice(
      "bad",
      "This signing link is incomplete",
      "Open the link from your email exactly as it was sent (some email programs break long links), or ask the sender for a new one.",
    ),
  );
} else {
  void load();
}
