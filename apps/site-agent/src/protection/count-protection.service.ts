import { type ProtectedCount, type ProtectionPolicy, protectCount } from '@fq/privacy';

/** Protects exact counts with the site's secret and policy before anything leaves the site. */
export class CountProtectionService {
  constructor(
    private readonly siteSecret: Uint8Array,
    private readonly policy: ProtectionPolicy,
  ) {}

  /** The publishable form of `rawCount` for this query and data version; deterministic for equal inputs. */
  protect(rawCount: number, queryHash: string, dataVersion: string): ProtectedCount {
    return protectCount({ rawCount, siteSecret: this.siteSecret, queryHash, dataVersion, policy: this.policy });
  }
}
