// Times at the API boundary: every time input is an RFC 3339 instant parsed once here (zod `instant()`) and
// stored, compared and answered as a UTC instant in one canonical form, so text comparisons in SQL and in the
// aggregates order instants correctly whatever offset the client wrote. Pure rules live in domain/time.ts.
import { z } from "@hono/zod-openapi";
import { INSTANT_RULE, parseInstant, toUtc } from "../domain/time";

export { INSTANT_RULE, hasPassed, instantMs, normalizeInstant, parseInstant, toUtc } from "../domain/time";

/**
 * The one zod schema for a time input: accepts RFC 3339 with any offset, outputs the canonical UTC string.
 * `future` refuses instants not after the moment of validation.
 */
export function instant(options: { future?: boolean; description?: string } = {}) {
  const schema = z
    .string()
    .max(40)
    .transform((text, ctx) => {
      const ms = parseInstant(text);
      if (ms === null) {
        ctx.addIssue({
          code: "custom",
          message: `expected an ${INSTANT_RULE.replace(/;.*/, "")}, e.g. 2026-11-22T12:00:00Z`,
        });
        return z.NEVER;
      }
      if (options.future && ms <= Date.now()) {
        ctx.addIssue({ code: "custom", message: "must be in the future" });
        return z.NEVER;
      }
      return toUtc(ms);
    });
  return schema.openapi({
    type: "string",
    format: "date-time",
    example: "2026-11-22T12:00:00-08:00",
    description: [options.description, `${INSTANT_RULE}.`].filter(Boolean).join(". "),
  });
}
