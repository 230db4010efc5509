import { describe, expect, it } from "vitest";
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { sendEmail } from "../../src/lib/email";
import { call } from "../helpers/http";
import { waitForEmail } from "../helpers/mailbox";

const notice = (subject: string) => ({ subject, heading: subject, lines: [`Body of ${subject}`] });

describe("GET /api/v1/dev/mailbox", () => {
  it("lists the emails sent to an address, newest first, with text and html, paginated", async () => {
    const to = "mailbox-owner@example.com";
    for (const subject of ["First", "Second", "Third"]) {
      await sendEmail(env, { to, template: "notice", data: notice(subject) });
      await waitForEmail({ to, subject });
    }
    await sendEmail(env, { to: "someone-else@example.com", template: "notice", data: notice("Other") });
    await waitForEmail({ to: "someone-else@example.com" });

    const page1 = await call("GET", `/api/v1/dev/mailbox?to=${to}&perPage=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((e: any) => e.subject)).toEqual(["Third", "Second"]);
    expect(page1.body.data[0]).toEqual({
      to,
      subject: "Third",
      text: expect.stringContaining("Body of Third"),
      html: expect.stringContaining("Body of Third"),
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(page1.body.pagination).toEqual({ total: 3, page: 1, perPage: 2, totalPages: 2 });
    expect(page1.body.links.next).toContain("page=2");

    const page2 = await call("GET", `/api/v1/dev/mailbox?to=${to}&perPage=2&page=2`);
    expect(page2.body.data.map((e: any) => e.subject)).toEqual(["First"]);

    const delivery = await env.DB.prepare(
      "SELECT status, attempts FROM email_deliveries WHERE `to` = ? ORDER BY created_at LIMIT 1",
    )
      .bind(to)
      .first();
    expect(delivery).toEqual({ status: "sent", attempts: 1 });
  });

  it("rejects an invalid address filter with VAL001", async () => {
    const res = await call("GET", "/api/v1/dev/mailbox?to=not-an-email");
    expect(res.status).toBe(400);
    expect(res.body.error!.code).toBe("VAL001");
    expect(res.body.error!.details[0].path).toBe("to");
  });

  it.each(["production", "staging"] as const)("answers 404 RES001 when ENVIRONMENT=%s", async (environment) => {
    const res = await worker.fetch(
      new Request("https://escra.test/api/v1/dev/mailbox?to=a@example.com"),
      { ...env, ENVIRONMENT: environment },
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, error: { code: "RES001" } });
  });
});
