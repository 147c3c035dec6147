/**
 * How many criteria a query may have (counted as `listCriteria` in `@fq/ccdl` counts them: inclusion and exclusion,
 * every OR alternative, nested ones included) unless configured otherwise. The broker's BROKER_MAX_CRITERIA and every
 * site's SITE_MAX_CRITERIA default to it, so that the broker never accepts a query every site would refuse.
 */
export const DEFAULT_MAX_CRITERIA = 50;

/** The largest criteria limit the broker or a site may be configured with. */
export const MAX_CRITERIA_LIMIT = 10_000;
