// Issue 14.5: the escrow's contract reads right — amounts in major units with the currency sign, commission and
// seller payout from the one money rule, the inspection period and dispute terms in words.
import { describe, expect, it } from "vitest";
import { escrowContractVariables, formatBps, formatHours } from "../../src/domain/escrow-contract";
import { formatMoneySymbol, majorUnits } from "../../src/domain/money";
import { STARTER_TEMPLATES } from "../../src/domain/starter-templates";
import { renderTemplate } from "../../src/domain/templates";

const terms = {
  buyer: { name: "Chiamaka \u1eccn\u1ee5\u1ecdha", email: "chiamaka@example.com" },
  seller: { name: "Tunde Bakare", email: "tunde@example.com" },
  description: "Domain shop.ng",
  amount: 15_000_000,
  currency: "NGN",
  commissionBps: 250,
  inspectionPeriodHours: 72,
};

describe("escrow contract variables", () => {
  it("states the price, commission and payout in major units with the currency sign", () => {
    const v = escrowContractVariables(terms);
    expect(v.price).toBe("\u20a6150,000.00");
    expect(v.commissionRate).toBe("2.5%");
    expect(v.commission).toBe("\u20a63,750.00");
    expect(v.sellerPayout).toBe("\u20a6146,250.00");
    expect(v.inspectionPeriod).toBe("72 hours (3 days)");
  });

  it("formats other currencies, rates and periods", () => {
    expect(formatMoneySymbol({ amount: 5000, currency: "JPY" })).toBe("\u00a55,000");
    expect(formatMoneySymbol({ amount: 123_45, currency: "GHS" })).toBe("\u20b5123.45");
    expect(formatMoneySymbol({ amount: 1, currency: "EUR" })).toBe("\u20ac0.01");
    expect(majorUnits({ amount: 9_007_199_254_740_991, currency: "USD" })).toBe("90,071,992,547,409.91");
    expect(formatBps(1000)).toBe("10%");
    expect(formatBps(125)).toBe("1.25%");
    expect(formatHours(1)).toBe("1 hour");
    expect(formatHours(36)).toBe("36 hours (1.5 days)");
    expect(formatHours(24)).toBe("24 hours (1 day)");
  });

  it("the escrow template renders into correct sentences with every term stated", () => {
    const template = STARTER_TEMPLATES.find((t) => t.id === "tpl_StarterEscrowSale000")!;
    const { body } = renderTemplate(template.body, template.variables, escrowContractVariables(terms));
    expect(body).toContain("The price is \u20a6150,000.00.");
    expect(body).toContain(
      "Escra's commission is 2.5% of the price, \u20a63,750.00, paid by the Seller out of the price.",
    );
    expect(body).toContain("On release the Seller's payout is \u20a6146,250.00.");
    expect(body).toContain("The Buyer has 72 hours (3 days) from the reveal to inspect");
    expect(body).toMatch(/6\. Disputes\. Either party may open a dispute/);
    expect(body).not.toMatch(/minor units|\{\{|delivers the goods to delivered/);
  });
});
