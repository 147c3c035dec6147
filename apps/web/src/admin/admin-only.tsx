import type { ComponentChildren } from 'preact';
import { useAuth } from '../auth/auth.context';
import '../styles/data-pages.css';

/** Shows its children to admins only; anyone else learns the page is not for them (the broker refuses them anyway). */
export function AdminOnly({ children }: { children: ComponentChildren }) {
  const { user } = useAuth();
  if (user?.role !== 'admin') {
    return (
      <section class="panel" aria-labelledby="admin-only-title">
        <h2 id="admin-only-title">For admins only</h2>
        <p>
          This page is for the network's admins. <a href="/">Back to the query builder</a>
        </p>
      </section>
    );
  }
  return <>{children}</>;
}
