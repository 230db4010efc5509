import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { cloudflareMailer, mailerFor, MailerError, parseAddress } from "../../src/lib/mailer";

describe("mailer", () => {
  it("uses the dev mailbox in development and test, the send_email binding elsewhere", () => {
    expect(mailerFor({ ...env, ENVIRONMENT: "test" }).name).toBe("dev-mailbox");
    expect(mailerFor({ ...env, ENVIRONMENT: "development" }).name).toBe("dev-mailbox");
    expect(mailerFor({ ...env, ENVIRONMENT: "staging" }).name).toBe("cloudflare-email");
    expect(mailerFor({ ...env, ENVIRONMENT: "production" }).name).toBe("cloudflare-email");
  });

  it("parses the configured From into the binding's address shape", () => {
    expect(parseAddress("Escra <no-reply@escra.io>")).toEqual({ name: "Escra", email: "no-reply@escra.io" });
    expect(parseAddress('"Escra Billing" <billing@escra.io>')).toEqual({
      name: "Escra Billing",
      email: "billing@escra.io",
    });
    expect(parseAddress("no-reply@escra.io")).toBe("no-reply@escra.io");
    expect(parseAddress("<no-reply@escra.io>")).toBe("no-reply@escra.io");
  });

  it("fails with a storable reason when the binding is missing or refuses", async () => {
    const email = { deliveryId: "eml_x", from: "a@b.c", to: "d@e.f", subject: "s", text: "t", html: "h" };
    await expect(cloudflareMailer(undefined).send(email)).rejects.toThrow(MailerError);
    const refusing = { send: async () => Promise.reject(new Error("550 no such user")) } as unknown as SendEmail;
    await expect(cloudflareMailer(refusing).send(email)).rejects.toThrow(
      "provider rejected the message: 550 no such user",
    );
  });
});
