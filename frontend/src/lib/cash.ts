/**
 * Cash ledger helpers: checking an amount typed into the deposit/withdraw form, and the ledger's rows newest
 * first (the API sends them oldest first, each with the balance after it).
 */
import type { LedgerEntry } from '@/lib/api-types';

const AMOUNT_RE = /^\d{1,10}(\.\d{1,2})?$/;

/** Why an amount cannot be sent, or null when it can (a positive rupee amount with at most two decimals). */
export function amountProblem(raw: string): string | null {
  const value = raw.trim();
  if (value === '') return 'Enter an amount';
  if (!AMOUNT_RE.test(value)) return 'Use rupees with at most two decimals, like 2500.50';
  if (Number(value) <= 0) return 'Amount must be more than 0';
  return null;
}

export function newestFirst(entries: readonly LedgerEntry[], limit = 100): LedgerEntry[] {
  return entries.slice(-limit).reverse();
}

export const KIND_LABEL: Record<LedgerEntry['kind'], string> = {
  OPENING: 'Opening cash',
  DEPOSIT: 'Deposit',
  WITHDRAWAL: 'Withdrawal',
  REALISED_PNL: 'Realised P&L',
  CHARGES: 'Charges',
  SETTLEMENT: 'Settlement',
};
