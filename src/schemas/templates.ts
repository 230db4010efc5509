// The template views and input of API.md. A template's contract type is `type`, as on contracts; `contractType` is
// its deprecated alias, still accepted and still returned.
import { z } from "@hono/zod-openapi";
import { VARIABLE_NAME } from "../domain/templates";

export const variableSchema = z
  .object({
    name: z.string().regex(VARIABLE_NAME, "letters, digits, _ and . (starting with a letter or _)"),
    label: z.string().trim().min(1).max(200).optional(),
    required: z.boolean().optional(),
    default: z.string().max(10_000).optional(),
  })
  .openapi("TemplateVariable");

const typeField = z.string().trim().min(1).max(60);

export const templateBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2_000).nullable().optional(),
    category: z.string().trim().min(1).max(100).nullable().optional(),
    type: typeField.optional().openapi({ example: "nda", description: "the contract type of contracts made from it" }),
    contractType: typeField
      .optional()
      .openapi({ deprecated: true, example: "nda", description: "deprecated alias of `type`; give one of the two" }),
    body: z.string().min(1).max(100_000),
    variables: z.array(variableSchema).max(100).default([]),
    teamId: z
      .string()
      .regex(/^team_[0-9A-Za-z]{20}$/, "expected a team_ id")
      .nullable()
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === undefined && v.contractType === undefined) {
      ctx.addIssue({ code: "custom", path: ["type"], message: "type is required" });
    } else if (v.type !== undefined && v.contractType !== undefined && v.type !== v.contractType) {
      ctx.addIssue({ code: "custom", path: ["contractType"], message: "contractType is an alias of type; give one" });
    }
  })
  .openapi("TemplateInput");
export type TemplateInput = z.infer<typeof templateBody>;

/** The template's contract type from `type` or its deprecated alias (the schema makes sure one is given). */
export const templateType = (input: Pick<TemplateInput, "type" | "contractType">): string =>
  (input.type ?? input.contractType)!;

const templateFields = {
  name: z.string(),
  description: z.string().nullable(),
  category: z.string().nullable(),
  type: z.string(),
  contractType: z.string().openapi({ deprecated: true, description: "deprecated alias of `type`" }),
  body: z.string(),
  variables: z.array(variableSchema),
};

export const templateSchema = z
  .object({
    id: z.string(),
    ...templateFields,
    version: z.number().int(),
    ownerId: z.string().nullable(),
    teamId: z.string().nullable(),
    starter: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Template");

export const templateVersionSchema = z
  .object({ version: z.number().int(), ...templateFields, authorId: z.string().nullable(), createdAt: z.string() })
  .openapi("TemplateVersion");

type TemplateLike = { contractType: string } & Record<string, unknown>;

/** A stored template (or version) as API.md shows it: `type`, and `contractType` as its deprecated alias. */
export function templateView<T extends TemplateLike>(row: T): T & { type: string } {
  return { ...row, type: row.contractType };
}
