import type { CohortKeying } from '@fq/engine';
import {
  type CountProtectorInput,
  createCohortKeyer,
  createCountProtector,
  type ProtectedCount,
  type ProtectionPolicy,
} from '@fq/privacy';

/** The site's stable patient numbers (`PatientNumbersStore` in the agent). */
export interface PatientNumbering {
  numberOf(patientId: string): number;
  /** Puts numbers given since the last save on disk. */
  save(): Promise<void>;
}

/** Protects exact counts with the site's secret and policy before anything leaves the site. */
export class CountProtectionService {
  private readonly protector: (input: CountProtectorInput) => ProtectedCount;
  /** The site's stable patient numbers and cohort keys (the cell key); the site's index is built with them. */
  readonly cohortKeying: CohortKeying;

  /** Throws `PrivacyInputError` for a policy that is not valid. */
  constructor(
    private readonly siteSecret: Uint8Array,
    policy: ProtectionPolicy,
    private readonly patientNumbers: PatientNumbering,
  ) {
    this.protector = createCountProtector(policy);
    const keyOf = createCohortKeyer(siteSecret);
    this.cohortKeying = { patientNumber: (id) => patientNumbers.numberOf(id), keyOf };
  }

  /** Puts the patient numbers given since the last call on disk; an index built with them answers only after. */
  saveNumbers(): Promise<void> {
    return this.patientNumbers.save();
  }

  /** The publishable form of a cohort's `rawCount`; the same cohort always gets the same answer. */
  protect(rawCount: number, cohortKey: string): ProtectedCount {
    return this.protector({ rawCount, siteSecret: this.siteSecret, cohortKey });
  }
}
