// Which workflow rules apply to a contract at send, and the approvers they add (pure).
import { normalizeEmail } from "./contract-machine";

export interface WorkflowRule {
  id: string;
  name: string;
  whenType: string | null;
  whenMinValue: number | null;
  approvers: { email: string; order: number }[];
  createdAt: string;
}

/** A rule matches when each condition it sets holds; a value condition never matches a contract without value. */
export function ruleMatches(rule: WorkflowRule, contract: { type: string; value: { amount: number } | null }): boolean {
  if (rule.whenType !== null && rule.whenType !== contract.type) return false;
  if (rule.whenMinValue !== null && (contract.value === null || contract.value.amount < rule.whenMinValue))
    return false;
  return true;
}

/** Approvers of every matching rule (oldest rule first), one entry per email (its lowest order). */
export function workflowApprovers(rules: WorkflowRule[], contract: { type: string; value: { amount: number } | null }) {
  const byEmail = new Map<string, number>();
  for (const rule of [...rules].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    if (!ruleMatches(rule, contract)) continue;
    for (const a of rule.approvers) {
      const email = normalizeEmail(a.email);
      byEmail.set(email, Math.min(byEmail.get(email) ?? Infinity, a.order));
    }
  }
  return [...byEmail].map(([email, order]) => ({ email, order }));
}
