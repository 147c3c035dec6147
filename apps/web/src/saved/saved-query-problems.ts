import { ApiProblemError } from '../api/api-problem';

/** A failed save, rename or delete in words: one sentence, and the field-by-field problems the broker listed. */
export interface SavedQueryProblem {
  message: string;
  fields: string[];
}

const FIELD_NAMES: Record<string, string> = { '$.name': 'Name', '$.comment': 'Comment' };

function fieldOf(path: string): string {
  if (path in FIELD_NAMES) {
    return FIELD_NAMES[path] ?? path;
  }
  return path.startsWith('$.query') ? `The query at ${path.replace(/^\$\.query/, '$')}` : path;
}

/** Describes why the broker refused a saved-query request; `name` is the name the user asked for. */
export function describeSavedQueryProblem(failure: unknown, name?: string): SavedQueryProblem {
  if (!(failure instanceof ApiProblemError)) {
    return { message: failure instanceof Error ? failure.message : String(failure), fields: [] };
  }
  const fields = failure.issues
    .filter((issue) => issue.code !== 'BROKER_SAVED_QUERY_NAME_TAKEN')
    .map((issue) => `${fieldOf(issue.path)}: ${issue.message}`);
  switch (failure.code) {
    case 'BROKER_SAVED_QUERY_NAME_TAKEN':
      return {
        message: `You already have a saved query named “${name?.trim() ?? ''}”. Choose another name, or rename or delete the other one.`,
        fields,
      };
    case 'BROKER_SAVED_QUERY_LIMIT_REACHED':
      return {
        message: `You cannot save another query: ${failure.message}.`,
        fields,
      };
    case 'BROKER_SAVED_QUERY_NOT_FOUND':
      return { message: 'This saved query no longer exists; it may have been deleted in another window.', fields };
    case 'BROKER_SAVED_QUERY_INVALID':
      return { message: 'The broker cannot save it as it is:', fields };
    default:
      return { message: failure.message, fields };
  }
}
