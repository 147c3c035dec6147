import type { ComponentChildren } from 'preact';
import { useAuth } from '../auth/auth.context';
import { QuotaStatus } from '../quota/quota-status';

/** Pages of the app once signed in; history, saved queries and admin pages add their links here. */
const NAVIGATION: { href: string; label: string; roles?: string[] }[] = [
  { href: '/', label: 'New query' },
  { href: '/queries', label: 'Your queries' },
  { href: '/saved', label: 'Saved queries' },
  { href: '/admin/queries', label: 'All queries', roles: ['admin'] },
  { href: '/admin/blacklist', label: 'Blacklist', roles: ['admin'] },
  { href: '/admin/sites', label: 'Sites', roles: ['admin'] },
];

/** The frame of every page: skip link, header with navigation and the signed-in user, main content. */
export function AppShell({ children }: { children: ComponentChildren }) {
  const { user, signOut } = useAuth();
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <h1>Feasibility queries</h1>
        {user !== null && (
          <>
            <nav aria-label="Main">
              <ul>
                {NAVIGATION.filter((item) => item.roles === undefined || item.roles.includes(user.role)).map((item) => (
                  <li key={item.href}>
                    <a href={item.href}>{item.label}</a>
                  </li>
                ))}
              </ul>
            </nav>
            <p class="user">
              Signed in as <strong>{user.userId}</strong> ({user.role}){' '}
              <button type="button" class="small" onClick={signOut}>
                Sign out
              </button>
            </p>
            <QuotaStatus />
          </>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
