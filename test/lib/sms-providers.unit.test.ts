// Twilio and Africa's Talking replaced only at their HTTP boundary: an injected fetch that checks the documented
// request (form-encoded POST, their auth header) and answers like the documented API.
import { describe, expect, it } from "vitest";
import { SmsError, africasTalkingSms, smsProviderFor, twilioSms } from "../../src/lib/sms";

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  form: URLSearchParams;
}

function fakeFetch(answer: (seen: Seen) => Response | Promise<Response>) {
  const calls: Seen[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const seen = {
      url: String(input),
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      form: new URLSearchParams(String(init?.body ?? "")),
    };
    calls.push(seen);
    return answer(seen);
  }) as typeof fetch;
  return { calls, fetcher };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const sms = { to: "+2348012345678", text: "Your Escra verification code is 123456.", messageId: "sms_1" };

describe("Twilio", () => {
  it("posts To/From/Body form-encoded to the account's Messages.json with Basic auth", async () => {
    const { calls, fetcher } = fakeFetch(() =>
      json(201, { sid: "SM0123456789abcdef0123456789abcdef", status: "queued" }),
    );
    const provider = twilioSms({ accountSid: "AC123", authToken: "tok", from: "+15005550006", fetch: fetcher });
    expect(await provider.send(sms)).toEqual({ providerMessageId: "SM0123456789abcdef0123456789abcdef" });
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call!.method).toBe("POST");
    expect(call!.url).toBe("https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json");
    expect(call!.headers.get("authorization")).toBe(`Basic ${btoa("AC123:tok")}`);
    expect(call!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(call!.form)).toEqual({ To: sms.to, From: "+15005550006", Body: sms.text });
  });

  it("sends through a Messaging Service when the sender is an MG… SID", async () => {
    const { calls, fetcher } = fakeFetch(() => json(201, { sid: "SM1" }));
    await twilioSms({ accountSid: "AC1", authToken: "t", from: "MG42", fetch: fetcher }).send(sms);
    expect(Object.fromEntries(calls[0]!.form)).toEqual({ To: sms.to, MessagingServiceSid: "MG42", Body: sms.text });
  });

  it("turns Twilio's error answer into an SmsError with its code, never the message text", async () => {
    const { fetcher } = fakeFetch(() =>
      json(400, { code: 21211, message: "The 'To' number is not a valid phone number.", status: 400 }),
    );
    const error = await twilioSms({ accountSid: "AC1", authToken: "t", from: "+15005550006", fetch: fetcher })
      .send(sms)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsError);
    expect(String(error)).toContain("21211");
    expect(String(error)).not.toContain("123456");
  });

  it("reports an unreachable API as an SmsError", async () => {
    const { fetcher } = fakeFetch(() => {
      throw new TypeError("fetch failed");
    });
    await expect(
      twilioSms({ accountSid: "AC1", authToken: "t", from: "+1", fetch: fetcher }).send(sms),
    ).rejects.toBeInstanceOf(SmsError);
  });
});

describe("Africa's Talking", () => {
  it("posts username/to/message form-encoded to /version1/messaging with the apiKey header", async () => {
    const { calls, fetcher } = fakeFetch(() =>
      json(201, {
        SMSMessageData: {
          Message: "Sent to 1/1 Total Cost: NGN 2.2000",
          Recipients: [
            { statusCode: 101, number: sms.to, status: "Success", cost: "NGN 2.2000", messageId: "ATXid_1" },
          ],
        },
      }),
    );
    const provider = africasTalkingSms({
      username: "sandbox",
      apiKey: "atsk_1",
      from: "ESCRA",
      baseUrl: "https://api.sandbox.africastalking.com",
      fetch: fetcher,
    });
    expect(await provider.send(sms)).toEqual({ providerMessageId: "ATXid_1" });
    const [call] = calls;
    expect(call!.url).toBe("https://api.sandbox.africastalking.com/version1/messaging");
    expect(call!.method).toBe("POST");
    expect(call!.headers.get("apikey")).toBe("atsk_1");
    expect(call!.headers.get("accept")).toBe("application/json");
    expect(call!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(call!.form)).toEqual({
      username: "sandbox",
      to: sms.to,
      message: sms.text,
      from: "ESCRA",
    });
  });

  it("fails when the recipient status is not accepted (e.g. 405 InsufficientBalance)", async () => {
    const { fetcher } = fakeFetch(() =>
      json(201, {
        SMSMessageData: {
          Message: "Sent to 0/1",
          Recipients: [{ statusCode: 405, number: sms.to, status: "InsufficientBalance" }],
        },
      }),
    );
    await expect(africasTalkingSms({ username: "u", apiKey: "k", fetch: fetcher }).send(sms)).rejects.toThrow(
      /InsufficientBalance/,
    );
  });

  it("fails on a plain-text error such as a wrong apiKey", async () => {
    const { fetcher } = fakeFetch(() => new Response("The supplied authentication is invalid", { status: 401 }));
    await expect(africasTalkingSms({ username: "u", apiKey: "k", fetch: fetcher }).send(sms)).rejects.toThrow(/401/);
  });
});

describe("smsProviderFor", () => {
  const base = { DB: {} as D1Database };
  it("chooses the provider named by SMS_PROVIDER when its credentials are set", () => {
    expect(
      smsProviderFor({
        ...base,
        ENVIRONMENT: "production",
        SMS_PROVIDER: "twilio",
        TWILIO_ACCOUNT_SID: "AC1",
        TWILIO_AUTH_TOKEN: "t",
        SMS_FROM: "+1",
      })?.name,
    ).toBe("twilio");
    expect(
      smsProviderFor({
        ...base,
        ENVIRONMENT: "production",
        SMS_PROVIDER: "africastalking",
        AFRICASTALKING_USERNAME: "u",
        AFRICASTALKING_API_KEY: "k",
      })?.name,
    ).toBe("africastalking");
  });
  it("uses the dev mailbox in development and nothing in production unless configured", () => {
    expect(smsProviderFor({ ...base, ENVIRONMENT: "development" })?.name).toBe("dev-mailbox");
    expect(smsProviderFor({ ...base, ENVIRONMENT: "production" })).toBeNull();
    expect(smsProviderFor({ ...base, ENVIRONMENT: "production", SMS_PROVIDER: "test" })).toBeNull();
    expect(smsProviderFor({ ...base, ENVIRONMENT: "production", SMS_PROVIDER: "twilio" })).toBeNull(); // no credentials
  });
});
