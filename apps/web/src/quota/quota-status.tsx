import { useQuota } from './quota.context';
import { describeGate, describeLimit, formatCountdown, secondsUntil } from './quota-words';
import './quota.css';

/** The signed-in user's quota in the page header: what is left this minute and this week, and any countdown. */
export function QuotaStatus() {
  const { usage, gate, now, error } = useQuota();
  if (usage === null) {
    return error === null ? null : <p class="quota-status">Quota unavailable: {error}</p>;
  }
  return (
    <section class="quota-status" aria-label="Your query quota">
      {usage.soft.amount === null && usage.hard.amount === null ? (
        <p>Queries: no limits for your role</p>
      ) : (
        <p>
          Queries: <span data-quota="soft">{describeLimit(usage.soft)}</span>
          {' · '}
          <span data-quota="hard">{describeLimit(usage.hard)}</span>
        </p>
      )}
      {gate.state === 'wait' && (
        <p class="quota-countdown">
          Next query in <span role="timer">{formatCountdown(secondsUntil(gate.until, now))}</span>
        </p>
      )}
      {gate.state === 'blacklisted' && <p class="quota-blocked">Blocked until an admin lifts it</p>}
    </section>
  );
}

/**
 * Beside a submit button: why it is disabled and how long until the next query, from the quota or the last 429.
 * Announced once when it appears; the countdown itself is a timer, which screen readers do not read out every second.
 */
export function QuotaNotice() {
  const { usage, gate, now } = useQuota();
  const sentence = describeGate(gate, usage, now);
  return (
    <div class="quota-notice">
      <p class="visually-hidden" role="status">
        {gate.state === 'open' ? '' : 'Submitting is paused by the query quota.'}
      </p>
      {sentence !== null && (
        <p class="quota-wait" role="timer" data-gate={gate.state}>
          {sentence}
        </p>
      )}
    </div>
  );
}
