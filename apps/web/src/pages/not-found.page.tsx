/** A client route nobody defined. */
export function NotFoundPage() {
  return (
    <section class="panel" aria-labelledby="not-found-title">
      <h2 id="not-found-title">Page not found</h2>
      <p>
        <a href="/">Back to the query builder</a>
      </p>
    </section>
  );
}
