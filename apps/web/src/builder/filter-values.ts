import type { TermCode, ValueFilter } from '../api/api-types';

/** The comparators of a quantity filter, as a person reads them. */
export const COMPARATORS = [
  ['gt', '>'],
  ['ge', '≥'],
  ['lt', '<'],
  ['le', '≤'],
  ['eq', '='],
  ['ne', '≠'],
] as const;

/** What a quantity filter's form holds: a mode, numbers as typed, and a unit code. */
export interface QuantityInput {
  mode: 'none' | 'range' | (typeof COMPARATORS)[number][0];
  value: string;
  minValue: string;
  maxValue: string;
  unit: string;
}

/** A quantity filter's form from a CCDL filter (or none). */
export function quantityInputOf(filter: ValueFilter | undefined, defaultUnit: string): QuantityInput {
  const empty: QuantityInput = { mode: 'none', value: '', minValue: '', maxValue: '', unit: defaultUnit };
  if (filter?.type === 'quantity-comparator') {
    return { ...empty, mode: filter.comparator, value: String(filter.value), unit: filter.unit?.code ?? defaultUnit };
  }
  if (filter?.type === 'quantity-range') {
    return {
      ...empty,
      mode: 'range',
      minValue: String(filter.minValue),
      maxValue: String(filter.maxValue),
      unit: filter.unit?.code ?? defaultUnit,
    };
  }
  return empty;
}

function parseNumber(text: string): number | null {
  if (text.trim() === '') {
    return null;
  }
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) ? value : null;
}

/**
 * The CCDL quantity filter for a form, `undefined` for none, or a sentence saying what is missing. A unit is kept
 * with its display when the catalog lists it.
 */
export function quantityFilterOf(
  input: QuantityInput,
  units: readonly { code: string; display: string }[],
): { ok: true; filter: ValueFilter | undefined } | { ok: false; problem: string } {
  const known = units.find((unit) => unit.code === input.unit);
  const unit = input.unit === '' ? undefined : { code: input.unit, display: known?.display ?? input.unit };
  if (input.mode === 'none') {
    return { ok: true, filter: undefined };
  }
  if (input.mode === 'range') {
    const minValue = parseNumber(input.minValue);
    const maxValue = parseNumber(input.maxValue);
    if (minValue === null || maxValue === null) {
      return { ok: false, problem: 'a range needs two numbers' };
    }
    if (maxValue < minValue) {
      return { ok: false, problem: `the upper bound ${maxValue} is below the lower bound ${minValue}` };
    }
    return { ok: true, filter: { type: 'quantity-range', minValue, maxValue, ...(unit && { unit }) } };
  }
  const value = parseNumber(input.value);
  if (value === null) {
    return { ok: false, problem: 'enter a number' };
  }
  return { ok: true, filter: { type: 'quantity-comparator', comparator: input.mode, value, ...(unit && { unit }) } };
}

/** Whether `code` is among `selected` (same system and code). */
export function hasConcept(selected: readonly TermCode[], code: TermCode): boolean {
  return selected.some((item) => item.system === code.system && item.code === code.code);
}
