import type { SavedQueryProblem } from './saved-query-problems';

/** A refused saved-query request, as an alert with each field's problem. */
export function SavedProblem({ problem }: { problem: SavedQueryProblem | null }) {
  if (problem === null) {
    return null;
  }
  return (
    <div role="alert" class="problem">
      <p>{problem.message}</p>
      {problem.fields.length > 0 && (
        <ul>
          {problem.fields.map((field) => (
            <li key={field}>{field}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
