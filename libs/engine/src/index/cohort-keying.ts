/**
 * How a site names cohorts (the cell key of decision 0008). The engine numbers patients by `patientNumber`, which the
 * site keeps stable across data refreshes, so a cohort is the same bitset whichever query selected it and whichever
 * refresh it was counted on; `keyOf` turns that bitset into the cohort's key. The engine holds no secret: both
 * functions come from the site.
 */
export interface CohortKeying {
  /**
   * The patient number of a patient's resource id: a non-negative integer below 2^31, never shared by two ids and the
   * same at every data refresh. Numbers need not be dense (a patient who left keeps a number nobody else gets).
   */
  patientNumber(patientId: string): number;
  /**
   * The key of the cohort of `size` patients whose members are the set bits of `members` (patient n is bit n % 8 of
   * byte n >> 3), given without trailing zero bytes, so the same patients always give the same bytes. Must not keep
   * `members`: the engine reuses its memory.
   */
  keyOf(members: Uint8Array, size: number): string;
}
