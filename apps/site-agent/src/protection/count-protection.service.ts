import {
  type CountProtectorInput,
  createCountProtector,
  type ProtectedCount,
  type ProtectionPolicy,
} from '@fq/privacy';

/** Protects exact counts with the site's secret and policy before anything leaves the site. */
export class CountProtectionService {
  private readonly protector: (input: CountProtectorInput) => ProtectedCount;

  /** Throws `PrivacyInputError` for a policy that is not valid. */
  constructor(
    private readonly siteSecret: Uint8Array,
    policy: ProtectionPolicy,
  ) {
    this.protector = createCountProtector(policy);
  }

  /** The publishable form of `rawCount` for this query and data version; deterministic for equal inputs. */
  protect(rawCount: number, queryHash: string, dataVersion: string): ProtectedCount {
    return this.protector({ rawCount, siteSecret: this.siteSecret, queryHash, dataVersion });
  }
}
