/** A signed-in session: the bearer token, when it expires and how it was obtained. */
export interface Session {
  token: string;
  expiresAt: string;
  method: 'dev' | 'oidc';
}

const KEY = 'fq.session';

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const session = value as Partial<Session>;
  return (
    typeof session.token === 'string' &&
    typeof session.expiresAt === 'string' &&
    (session.method === 'dev' || session.method === 'oidc')
  );
}

/**
 * Keeps the session in sessionStorage: it survives a reload of the tab but not the tab itself, and never enters a URL.
 * An expired or malformed entry reads as no session.
 */
export const sessionStore = {
  read(now: Date = new Date()): Session | null {
    let parsed: unknown;
    try {
      parsed = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    } catch {
      return null;
    }
    if (!isSession(parsed) || !(Date.parse(parsed.expiresAt) > now.getTime())) {
      return null;
    }
    return parsed;
  },
  write(session: Session): void {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
