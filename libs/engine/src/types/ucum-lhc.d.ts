// The package ships no types; only the calls the engine makes are declared.
declare module '@lhncbc/ucum-lhc' {
  interface UcumUnit {
    dim_: { dimVec_: number[] };
    isArbitrary_: boolean;
    moleExp_: number;
  }
  interface UcumLhcUtils {
    convertUnitTo(fromCode: string, fromValue: number, toCode: string): { status: string; toVal: number | null };
    getSpecifiedUnit(code: string, mode: 'validate'): { unit: UcumUnit | null };
    validateUnitString(code: string): { status: string };
  }
  export const UcumLhcUtils: { getInstance(): UcumLhcUtils };
}
