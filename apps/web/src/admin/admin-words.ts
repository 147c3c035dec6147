import type { SiteState } from '../api/api-types';

/** How long ago an instant was, in the largest whole unit: "8 s ago", "3 min ago", "2 h ago", "5 d ago". */
export function describeAge(iso: string | null, now: number): string {
  if (iso === null) {
    return 'never';
  }
  const seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (seconds < 60) {
    return `${seconds} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  return seconds < 86_400 ? `${Math.floor(seconds / 3600)} h ago` : `${Math.floor(seconds / 86_400)} d ago`;
}

/** A site's state in words for the admin's table: online or not, and since when it has been silent. */
export function describeSiteState(site: Pick<SiteState, 'online' | 'lastHeartbeat'>, now: number): string {
  if (site.online) {
    return 'online';
  }
  return site.lastHeartbeat === null
    ? 'offline: no heartbeat yet'
    : `offline: last heartbeat ${describeAge(site.lastHeartbeat, now)}`;
}
