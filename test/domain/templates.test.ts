import { describe, expect, it } from "vitest";
import { placeholdersOf, renderTemplate, templateProblems } from "../../src/domain/templates";
import { STARTER_TEMPLATES } from "../../src/domain/starter-templates";
import { ApiError } from "../../src/lib/errors";
import { hasPrefix } from "../../src/lib/ids";

const vars = [{ name: "party", required: true }, { name: "city", default: "Lagos" }, { name: "note" }];

describe("templates", () => {
  it("finds placeholders, tolerating inner spaces, each once", () => {
    expect(placeholdersOf("{{party}} in {{ city }} and {{party}}; {{ bad name }}")).toEqual(["party", "city"]);
  });

  it("renders values and defaults in one pass (a value containing {{…}} is not expanded)", () => {
    const out = renderTemplate("{{party}} of {{city}}{{note}}.", vars, { party: "{{city}} Ltd" });
    expect(out).toEqual({ body: "{{city}} Ltd of Lagos.", variables: { party: "{{city}} Ltd", city: "Lagos" } });
  });

  it("names every missing required variable, and unknown ones, in VAL001", () => {
    try {
      renderTemplate(
        "{{a}}{{b}}",
        [
          { name: "a", required: true },
          { name: "b", required: true },
        ],
        { zzz: "1", b: " " },
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      const err = e as ApiError;
      expect(err.code).toBe("VAL001");
      expect(err.message).toBe("Missing required variables: a, b");
      expect((err.details as { path: string }[]).map((d) => d.path)).toEqual([
        "variables.zzz",
        "variables.a",
        "variables.b",
      ]);
    }
  });

  it("reports undeclared placeholders and duplicate declarations", () => {
    expect(templateProblems("{{a}} {{b}}", [{ name: "a" }, { name: "a" }]).map((p) => p.message)).toEqual([
      "variable a is declared twice",
      "placeholder {{b}} is not a declared variable",
    ]);
  });

  it("ships valid starter templates (NDA, freelance services, sale of goods, escrow sale agreement)", () => {
    expect(STARTER_TEMPLATES.map((t) => t.contractType)).toEqual(["nda", "services", "sale", "sale"]);
    for (const t of STARTER_TEMPLATES) {
      expect(hasPrefix(t.id, "tpl")).toBe(true);
      expect(templateProblems(t.body, t.variables)).toEqual([]);
    }
  });
});
