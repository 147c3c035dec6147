import { lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { AuthProvider, useAuth } from './auth/auth.context';
import { CALLBACK_PATH } from './auth/oidc.client';
import { HistoryPage } from './history/history.page';
import { QueryResultPage } from './history/query-result.page';
import { AppShell } from './layout/app-shell';
import { NotFoundPage } from './pages/not-found.page';
import { OidcCallbackPage } from './pages/oidc-callback.page';
import { QueryPage } from './pages/query.page';
import { SignInPage } from './pages/sign-in.page';
import { QuotaProvider } from './quota/quota.context';
import { SavedQueriesPage } from './saved/saved-queries.page';

// Admin pages load on first visit: most users never open them, and the first load stays small.
const AdminQueriesPage = lazy(() => import('./admin/admin-queries.page').then((page) => page.AdminQueriesPage));
const BlacklistPage = lazy(() => import('./admin/blacklist.page').then((page) => page.BlacklistPage));
const SitesPage = lazy(() => import('./admin/sites.page').then((page) => page.SitesPage));

/** Pages that need a signed-in user; a new feature adds its route here. */
function SignedInRoutes() {
  return (
    <Router>
      <Route path="/" component={QueryPage} />
      <Route path="/queries" component={HistoryPage} />
      <Route path="/queries/:id" component={QueryResultPage} />
      <Route path="/saved" component={SavedQueriesPage} />
      <Route path="/admin/queries" component={AdminQueriesPage} />
      <Route path="/admin/blacklist" component={BlacklistPage} />
      <Route path="/admin/sites" component={SitesPage} />
      <Route default component={NotFoundPage} />
    </Router>
  );
}

function Routes() {
  const { user, checking } = useAuth();
  const { path, url } = useLocation();
  if (path === CALLBACK_PATH) {
    return <OidcCallbackPage />;
  }
  if (checking) {
    return <p role="status">Loading…</p>;
  }
  return user === null ? <SignInPage returnTo={url} /> : <SignedInRoutes />;
}

/** The browser app: auth state, client-side routing and the page frame. */
export function App() {
  return (
    <AuthProvider>
      <QuotaProvider>
        <LocationProvider>
          <AppShell>
            <Routes />
          </AppShell>
        </LocationProvider>
      </QuotaProvider>
    </AuthProvider>
  );
}
