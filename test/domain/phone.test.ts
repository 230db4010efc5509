// Phone numbers accepted for SMS verification: E.164 only, valid in their country's plan, able to receive SMS.
import { describe, expect, it } from "vitest";
import { checkPhone } from "../../src/domain/phone";

describe("checkPhone", () => {
  it("accepts E.164 mobile numbers and names their country", () => {
    expect(checkPhone("+2348012345678")).toEqual({ ok: true, phone: "+2348012345678", country: "NG" });
    expect(checkPhone("+254711082000")).toEqual({ ok: true, phone: "+254711082000", country: "KE" });
    expect(checkPhone("+14155552671")).toMatchObject({ ok: true, country: "US" }); // fixed line or mobile
  });

  it("refuses numbers that are not written in E.164", () => {
    for (const input of [
      "08012345678",
      "2348012345678",
      "+234 801 234 5678",
      "+0123456789",
      "+",
      "phone",
      "+2348012345678999",
    ]) {
      expect(checkPhone(input)).toMatchObject({ ok: false, reason: expect.stringContaining("E.164") });
    }
  });

  it("refuses E.164-shaped numbers that no plan allows", () => {
    expect(checkPhone("+2341234567")).toEqual({ ok: false, reason: "is not a valid phone number" });
    expect(checkPhone("+999123456789")).toEqual({ ok: false, reason: "is not a valid phone number" });
  });

  it("refuses landlines, which could never receive the code", () => {
    expect(checkPhone("+442071838750")).toEqual({ ok: false, reason: "cannot receive SMS (not a mobile number)" });
  });
});
