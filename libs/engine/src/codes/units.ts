import { UcumLhcUtils } from '@lhncbc/ucum-lhc';

let ucum: ReturnType<typeof UcumLhcUtils.getInstance> | undefined;
const cache = new Map<string, ((value: number) => number) | null>();

/** Whether a UCUM unit carries a physical dimension and no arbitrary (IU-like) part; null if it is not UCUM. */
function describeUnit(code: string): { dimensioned: boolean; moleExp: number } | null {
  ucum ??= UcumLhcUtils.getInstance();
  // Only validateUnitString tells a valid code from one ucum-lhc guessed (`mg/deciliter` is read as `mg/dL`).
  if (ucum.validateUnitString(code).status !== 'valid') {
    return null;
  }
  const unit = ucum.getSpecifiedUnit(code, 'validate').unit;
  if (unit === null || unit.isArbitrary_) {
    return null;
  }
  return { dimensioned: unit.dim_.dimVec_.some((d) => d !== 0), moleExp: unit.moleExp_ };
}

/**
 * A function converting values from UCUM unit `from` into `to`, or null when the two are not safely
 * convertible. Dimensionless units (%, mmol/mol, 1) are never converted into each other: UCUM would turn
 * HbA1c 7 % into 70 mmol/mol, which is clinically wrong. Mass and substance amounts are never mixed.
 * Results are rounded to 12 significant digits so that 5 × 10*3/uL equals 5 × 10*9/L.
 */
export function unitConverter(from: string, to: string): ((value: number) => number) | null {
  if (from === to) {
    return (value) => value;
  }
  const key = `${from}\u0000${to}`;
  const cached = cache.get(key);
  if (cached !== undefined) {
    return cached;
  }
  let converter: ((value: number) => number) | null = null;
  const a = describeUnit(from);
  const b = describeUnit(to);
  if (a !== null && b !== null && a.dimensioned && b.dimensioned && a.moleExp === b.moleExp) {
    const probe = ucum!.convertUnitTo(from, 1, to);
    if (probe.status === 'succeeded') {
      converter = (value) => {
        const result = ucum!.convertUnitTo(from, value, to);
        return result.toVal === null ? Number.NaN : Number(result.toVal.toPrecision(12));
      };
    }
  }
  cache.set(key, converter);
  return converter;
}
