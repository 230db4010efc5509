// Hostile text stays text (issue 11.8), as a client sees it: a `constructor` template variable, a scripted SVG
// signature, CR/LF headed for an email subject, a private address behind an IPv6 form, a JWT without `exp`.
import { describe, expect, it, beforeAll } from "vitest";
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { call } from "../helpers/http";
import { actor, type Actor } from "../helpers/contract-fixtures";
import { createUser, uniqueEmail } from "../helpers/users";
import { waitForEmail } from "../helpers/mailbox";
import { base64Encode } from "../../src/lib/crypto";
import { JWT_AUDIENCE, platformSigningKey } from "../../src/lib/jwt";
import { mailerFor, MailerError, singleLineHeader } from "../../src/lib/mailer";

/** The session id (`sid`) inside an access token the API issued. */
function sessionIdOf(accessToken: string): string {
  const payload = accessToken.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  return (JSON.parse(atob(payload)) as { sid: string }).sid;
}

let owner: Actor;
let signer: Actor;
beforeAll(async () => {
  [owner, signer] = await Promise.all([actor(), actor()]);
});

describe("template variables", () => {
  it("a template variable named `constructor` left empty renders nothing into the contract (issue example)", async () => {
    const template = await call("POST", "/api/v1/templates", {
      token: owner.token,
      body: {
        name: "Prototype probe",
        contractType: "nda",
        body: "Between {{party}} and [{{constructor}}] ({{toString}}).",
        variables: [{ name: "party", required: true }, { name: "constructor" }, { name: "toString" }],
      },
    });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const contract = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Probe", templateId: template.body.data.id, variables: { party: "Acme" } },
    });
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    expect(contract.body.data.body).toBe("Between Acme and [] ().");
    expect(contract.body.data.body).not.toContain("native code");
  });
});

describe("drawn SVG signatures", () => {
  it("an SVG with <animate attributeName=href values=javascript:…> is VAL001; a pen stroke is stored re-serialised", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "SVG probe", type: "nda", body: "Terms.", signers: [{ email: signer.email, name: "S" }] },
    });
    const id = created.body.data.id as string;
    expect((await call("POST", `/api/v1/contracts/${id}/send`, { token: owner.token, body: {} })).status).toBe(200);
    const svgUrl = (svg: string) => `data:image/svg+xml;base64,${base64Encode(new TextEncoder().encode(svg))}`;
    const hostile =
      '<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" values="javascript:alert(document.domain)"/>' +
      '<rect width="100" height="40"/></a></svg>';
    const refused = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: signer.token,
      body: { signature: { type: "drawn", value: svgUrl(hostile) }, consent: true },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("VAL001");

    const pen = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M1 1L9 9" stroke="#000"/></svg>';
    const signed = await call("POST", `/api/v1/contracts/${id}/sign`, {
      token: signer.token,
      body: {
        signature: { type: "drawn", value: svgUrl(`<?xml version="1.0"?>\n<!-- pad -->\n${pen}`) },
        consent: true,
      },
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const sig = signed.body.data.signers[0].signature;
    expect(sig.imageType).toBe("image/svg+xml");
    expect(await (await env.DOCUMENTS.get(sig.imageKey))!.text()).toBe(pen);
  });
});

describe("names and titles carry no bidirectional overrides (Trojan Source, CVE-2021-42574)", () => {
  // "Ann" + RIGHT-TO-LEFT OVERRIDE + "fdp.exe" shows as "Annexe.pdf" wherever the name is drawn.
  const spoofed = "Ann\u202Efdp.exe";

  it("a contract title with an override or isolate is VAL001 on `title`, on create and on PATCH", async () => {
    for (const title of [`Lease ${spoofed}`, "Lease \u2066x\u2069"]) {
      const created = await call("POST", "/api/v1/contracts", {
        token: owner.token,
        body: { title, type: "lease", body: "Terms." },
      });
      expect(created.status).toBe(400);
      expect(created.body.error.details[0]).toMatchObject({
        path: "title",
        message: "must not contain bidirectional override or isolate characters",
      });
    }
    const ok = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Lease", type: "lease", body: "T." },
    });
    const patched = await call("PATCH", `/api/v1/contracts/${ok.body.data.id}`, {
      token: owner.token,
      body: { title: spoofed },
    });
    expect(patched.body.error.code).toBe("VAL001");
  });

  it("a name with an override is VAL001 at registration and on the profile; a right-to-left name with its marks is fine", async () => {
    const registered = await call("POST", "/api/v1/auth/register", {
      body: { email: uniqueEmail("bidi"), password: "correct horse battery", name: spoofed },
    });
    expect(registered.status).toBe(400);
    expect(registered.body.error.details[0].path).toBe("name");
    const user = await createUser();
    const renamed = await call("PATCH", "/api/v1/users/me", { token: user.accessToken, body: { name: spoofed } });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error.code).toBe("VAL001");
    // RIGHT-TO-LEFT MARK only sets the direction of its neighbours; it cannot reorder them.
    const arabic = await call("PATCH", "/api/v1/users/me", {
      token: user.accessToken,
      body: { name: "\u200Fليلى (Layla)" },
    });
    expect(arabic.status, JSON.stringify(arabic.body)).toBe(200);
  });
});

describe("team names and listing titles follow the same rules", () => {
  it("a team name with an override is VAL001 on `name` (line breaks stay allowed: headers flatten them)", async () => {
    const res = await call("POST", "/api/v1/teams", { token: owner.token, body: { name: "Acme \u202Eroc" } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({
      path: "name",
      message: "must not contain bidirectional override or isolate characters",
    });
  });

  it("a listing title must be one line without bidi controls: VAL001 on `title`", async () => {
    for (const title of ["Page 50k\r\nBcc: x@evil.test", "Page \u2066x\u2069 50k"]) {
      const res = await call("POST", "/api/v1/listings", {
        token: owner.token,
        body: { title, description: "d", category: "Social", price: { amount: 1000, currency: "NGN" } },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].path).toBe("title");
    }
  });
});

describe("email headers are single-line", () => {
  it("a contract title with CR/LF is refused (VAL001), on create and on PATCH", async () => {
    const created = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Lease\r\nBcc: victim@evil.test", type: "lease", body: "Terms." },
    });
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe("VAL001");
    expect(created.body.error.details[0].path).toBe("title");
    const ok = await call("POST", "/api/v1/contracts", {
      token: owner.token,
      body: { title: "Lease", type: "lease", body: "Terms." },
    });
    const patched = await call("PATCH", `/api/v1/contracts/${ok.body.data.id}`, {
      token: owner.token,
      body: { title: "Lease\nX-Injected: 1" },
    });
    expect(patched.body.error.code).toBe("VAL001");
  });

  it("a team name with CR/LF reaches the invitation email's subject as one line", async () => {
    const inviter = await createUser();
    const team = await call("POST", "/api/v1/teams", {
      token: inviter.accessToken,
      body: { name: "Acme\r\nBcc: victim@evil.test" },
    });
    expect(team.status).toBe(201);
    const invitee = uniqueEmail("invitee");
    const invited = await call("POST", `/api/v1/teams/${team.body.data.id}/members`, {
      token: inviter.accessToken,
      body: { email: invitee, role: "member" },
    });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const mail = await waitForEmail({ to: invitee, subject: "invited you" });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain("Acme Bcc: victim@evil.test");
  });

  it("the mailer flattens every header value and refuses an address with a line break", async () => {
    expect(singleLineHeader("Deal\r\nBcc: x@evil.test\u2028X: y\u0085z\t ")).toBe("Deal Bcc: x@evil.test X: y z");
    const mailer = mailerFor(env);
    const to = uniqueEmail("headers");
    const deliveryId = `eml_hdr_${crypto.randomUUID().slice(0, 8)}`;
    await mailer.send({
      deliveryId,
      from: "Escra\r\nBcc: x@evil.test <no-reply@escra.test>",
      to,
      subject: "a\r\n\r\nbody",
      text: "t",
      html: "h",
    });
    const stored = await env.DB.prepare('SELECT subject, "from" AS sender FROM dev_mailbox WHERE delivery_id = ?')
      .bind(deliveryId)
      .first<{ subject: string; sender: string }>();
    expect(stored).toEqual({ subject: "a body", sender: "Escra Bcc: x@evil.test <no-reply@escra.test>" });
    await expect(
      mailer.send({
        deliveryId: "eml_hdr_2",
        from: "a@b.c",
        to: `${to}\r\nBcc: x@evil.test`,
        subject: "s",
        text: "t",
        html: "h",
      }),
    ).rejects.toThrow(MailerError);
  });
});

describe("JWT verification requires exp", () => {
  async function forge(claims: { exp?: number; iat?: boolean; typ?: string }, sid: string, sub: string) {
    const { kid, signingKey } = await platformSigningKey(env);
    const jwt = new SignJWT({ sid, role: "user" })
      .setProtectedHeader({ alg: "EdDSA", kid, typ: claims.typ ?? "JWT" })
      .setSubject(sub)
      .setIssuer(env.PUBLIC_BASE_URL)
      .setAudience(JWT_AUDIENCE);
    if (claims.iat !== false) jwt.setIssuedAt();
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(signingKey);
  }

  it("a correctly signed token without `exp` is AUTH002 (issue example), as are no `iat` and a foreign `typ`", async () => {
    const u = await createUser();
    const sid = sessionIdOf(u.accessToken);
    const exp = Math.floor(Date.now() / 1000) + 600;
    // The control: the same forge with exp is accepted, so the refusals below are about the missing claim alone.
    expect((await call("GET", "/api/v1/auth/me", { token: await forge({ exp }, sid, u.user.id) })).status).toBe(200);
    for (const token of [
      await forge({}, sid, u.user.id),
      await forge({ exp, iat: false }, sid, u.user.id),
      await forge({ exp, typ: "escra-signature+jws" }, sid, u.user.id),
    ]) {
      const res = await call("GET", "/api/v1/auth/me", { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("AUTH002");
    }
  });
});
