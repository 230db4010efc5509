// Template rules: `{{variable}}` placeholders, declared variables (required / default), and rendering a body
// with values. Pure; the templates routes and contract creation apply them.
import { fail, type ErrorDetail } from "../lib/errors";

export interface TemplateVariable {
  name: string;
  label?: string;
  required?: boolean;
  default?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;

/** Distinct placeholder names in order of first use. */
export function placeholdersOf(body: string): string[] {
  return [...new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Problems of a template definition: undeclared placeholders, variables declared twice. */
export function templateProblems(body: string, variables: readonly TemplateVariable[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const declared = new Set<string>();
  variables.forEach((v, i) => {
    if (declared.has(v.name))
      details.push({ path: `variables.${i}.name`, message: `variable ${v.name} is declared twice` });
    declared.add(v.name);
  });
  for (const name of placeholdersOf(body)) {
    if (!declared.has(name))
      details.push({ path: "body", message: `placeholder {{${name}}} is not a declared variable` });
  }
  return details;
}

/**
 * Resolves each declared variable (given value, else its default) and substitutes the body in one pass, so a
 * value containing `{{…}}` is never expanded again. Missing required variables and undeclared ones are VAL001
 * naming each of them.
 */
export function renderTemplate(
  body: string,
  declared: readonly TemplateVariable[],
  given: Readonly<Record<string, string>>,
): { body: string; variables: Record<string, string> } {
  const details: ErrorDetail[] = [];
  const known = new Set(declared.map((v) => v.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name))
      details.push({ path: `variables.${name}`, message: `${name} is not a variable of this template` });
  }
  // A Map, not an object: a placeholder named `constructor` or `__proto__` must not find Object.prototype's members.
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const v of declared) {
    const value = Object.hasOwn(given, v.name) ? given[v.name]! : v.default;
    if (value === undefined || (v.required && value.trim() === "")) {
      if (v.required) missing.push(v.name);
      continue;
    }
    values.set(v.name, value);
  }
  for (const name of missing) details.push({ path: `variables.${name}`, message: `${name} is required` });
  if (details.length) {
    const message = missing.length ? `Missing required variables: ${missing.join(", ")}` : "Unknown template variables";
    throw fail.invalid(details, message);
  }
  const rendered = body.replace(PLACEHOLDER, (_match, name: string) => values.get(name) ?? "");
  return { body: rendered, variables: Object.fromEntries(values) };
}
