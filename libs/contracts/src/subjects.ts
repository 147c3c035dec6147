import { z } from 'zod';

/** A site id is one NATS subject token: lowercase letters, digits and inner hyphens, at most 63 characters. */
export const SiteId = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
  error: 'a site id is 1-63 lowercase letters, digits or inner hyphens',
});
export type SiteId = z.infer<typeof SiteId>;

const SUBJECT_ROOT = 'fq.sites';

// Every subject of a site starts with `fq.sites.<siteId>.`, so NATS permissions can confine a site to its own.

/** Where the broker publishes queries for one site (JetStream, stream QUERY_STREAM). */
export function siteQuerySubject(siteId: SiteId): string {
  return `${SUBJECT_ROOT}.${SiteId.parse(siteId)}.queries`;
}

/** Where one site publishes its results (JetStream, stream RESULT_STREAM). */
export function siteResultSubject(siteId: SiteId): string {
  return `${SUBJECT_ROOT}.${SiteId.parse(siteId)}.results`;
}

/** Where one site publishes its heartbeats (JetStream, stream HEARTBEAT_STREAM, last message per site kept). */
export function siteHeartbeatSubject(siteId: SiteId): string {
  return `${SUBJECT_ROOT}.${SiteId.parse(siteId)}.heartbeat`;
}

/** Every subject a site may use, as a NATS permission pattern. */
export function siteSubjectPattern(siteId: SiteId): string {
  return `${SUBJECT_ROOT}.${SiteId.parse(siteId)}.>`;
}

/** The site id in a site subject, or null if the subject is not one. */
export function siteIdOfSubject(subject: string): SiteId | null {
  const match = /^fq\.sites\.([^.]+)\.(?:queries|results|heartbeat)$/.exec(subject);
  return match !== null && SiteId.safeParse(match[1]).success ? match[1] : null;
}

/**
 * The inbox prefix of a site's NATS connection (nats.js `inboxPrefix`): replies to a site go to `_INBOX_site-<id>.…`,
 * and NATS permissions let each client read only its own inbox.
 */
export function siteInboxPrefix(siteId: SiteId): string {
  return `_INBOX_site-${SiteId.parse(siteId)}`;
}

/** The durable consumer on QUERY_STREAM through which a site reads its queries (the broker creates it). */
export function siteQueryConsumerName(siteId: SiteId): string {
  return `site-${SiteId.parse(siteId)}`;
}

/** The inbox prefix of the broker's NATS connection. */
export const BROKER_INBOX_PREFIX = '_INBOX_broker';

/** The JetStream streams of the network: name and the subjects each captures. */
export const QUERY_STREAM = { name: 'FQ_QUERIES', subjects: [`${SUBJECT_ROOT}.*.queries`] } as const;
export const RESULT_STREAM = { name: 'FQ_RESULTS', subjects: [`${SUBJECT_ROOT}.*.results`] } as const;
export const HEARTBEAT_STREAM = { name: 'FQ_HEARTBEATS', subjects: [`${SUBJECT_ROOT}.*.heartbeat`] } as const;
