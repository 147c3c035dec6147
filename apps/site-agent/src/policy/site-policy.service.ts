import { Inject, Injectable } from '@nestjs/common';
import { listCriteria, type StructuredQuery } from '@fq/ccdl';
import { err, ok, type Result } from '@fq/result';
import { SITE_AGENT_CONFIG } from '../config/config.loader';
import type { SiteAgentConfig, SitePolicyConfig } from '../config/config.schema';

/** Why site policy refuses a query; the code goes into the `refused` result and the audit log. */
export interface PolicyRefusal {
  code: 'SITE_POLICY_REFUSED';
  reason: string;
}

/** A query the policy allows, or why it refuses it. */
export type PolicyVerdict = Result<void, PolicyRefusal>;

const MAX_LISTED_VIOLATIONS = 3;

/**
 * The site's query policy: which contexts and term-code systems it answers about, and how many criteria a query
 * may have. Value filters and attribute codes are not restricted; they only narrow a criterion.
 */
@Injectable()
export class SitePolicyService {
  private readonly policy: SitePolicyConfig;

  constructor(@Inject(SITE_AGENT_CONFIG) config: Pick<SiteAgentConfig, 'policy'>) {
    this.policy = config.policy;
  }

  /** Checks a query against the policy, naming the first few violations. */
  check(query: StructuredQuery): PolicyVerdict {
    const criteria = listCriteria(query);
    const violations: string[] = [];
    if (criteria.length > this.policy.maxCriteria) {
      violations.push(
        `the query has ${criteria.length} criteria; this site answers at most ${this.policy.maxCriteria}`,
      );
    }
    const contexts = this.policy.allowedContexts === null ? null : new Set(this.policy.allowedContexts);
    const systems = this.policy.allowedCodeSystems === null ? null : new Set(this.policy.allowedCodeSystems);
    for (const { path, criterion } of criteria) {
      if (contexts !== null) {
        const context = criterion.context?.code;
        if (context === undefined) {
          violations.push(`${path} has no context; this site answers only about listed contexts`);
        } else if (!contexts.has(context)) {
          violations.push(`${path}: context ${context} is not answered by this site`);
        }
      }
      if (systems !== null) {
        for (const termCode of criterion.termCodes) {
          if (!systems.has(termCode.system)) {
            violations.push(`${path}: code system ${termCode.system} is not answered by this site`);
            break;
          }
        }
      }
    }
    if (violations.length === 0) {
      return ok(undefined);
    }
    const more = violations.length - MAX_LISTED_VIOLATIONS;
    const listed = violations.slice(0, MAX_LISTED_VIOLATIONS).join('; ');
    const reason = more > 0 ? `${listed}; and ${more} more` : listed;
    return err({ code: 'SITE_POLICY_REFUSED', reason: truncate(reason, 500) });
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
