import { describeAge, describeSiteState } from './admin-words';

const NOW = Date.parse('2025-03-01T10:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

describe('describeAge', () => {
  it('uses the largest whole unit', () => {
    expect(describeAge(ago(0), NOW)).toBe('0 s ago');
    expect(describeAge(ago(59), NOW)).toBe('59 s ago');
    expect(describeAge(ago(60), NOW)).toBe('1 min ago');
    expect(describeAge(ago(3599), NOW)).toBe('59 min ago');
    expect(describeAge(ago(7200), NOW)).toBe('2 h ago');
    expect(describeAge(ago(5 * 86_400 + 10), NOW)).toBe('5 d ago');
  });

  it('says never for a missing instant and treats a clock ahead of the page as now', () => {
    expect(describeAge(null, NOW)).toBe('never');
    expect(describeAge(new Date(NOW + 5000).toISOString(), NOW)).toBe('0 s ago');
  });
});

describe('describeSiteState', () => {
  it('tells an online site from a silent one and one never heard of', () => {
    expect(describeSiteState({ online: true, lastHeartbeat: ago(2) }, NOW)).toBe('online');
    expect(describeSiteState({ online: false, lastHeartbeat: ago(180) }, NOW)).toBe(
      'offline: last heartbeat 3 min ago',
    );
    expect(describeSiteState({ online: false, lastHeartbeat: null }, NOW)).toBe('offline: no heartbeat yet');
  });
});
