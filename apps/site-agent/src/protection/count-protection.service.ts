import {
  type CountProtectorInput,
  createCountProtector,
  createRecordKeyDeriver,
  type ProtectedCount,
  type ProtectionPolicy,
} from '@fq/privacy';

/** Protects exact counts with the site's secret and policy before anything leaves the site. */
export class CountProtectionService {
  private readonly protector: (input: CountProtectorInput) => ProtectedCount;
  /** Each patient's secret record key; the site's index is built with it, so cohorts have keys (the cell key). */
  readonly recordKeyOf: (patientId: string) => Uint8Array;

  /** Throws `PrivacyInputError` for a policy that is not valid. */
  constructor(
    private readonly siteSecret: Uint8Array,
    policy: ProtectionPolicy,
  ) {
    this.protector = createCountProtector(policy);
    this.recordKeyOf = createRecordKeyDeriver(siteSecret);
  }

  /** The publishable form of a cohort's `rawCount`; the same cohort always gets the same answer. */
  protect(rawCount: number, cohortKey: string): ProtectedCount {
    return this.protector({ rawCount, siteSecret: this.siteSecret, cohortKey });
  }
}
