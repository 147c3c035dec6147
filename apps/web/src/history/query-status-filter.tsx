import type { QueryStatus } from '../api/api-types';

/** The status filter of a query list: any, running, completed or expired. */
export function QueryStatusFilter({
  value,
  onChange,
}: {
  value: QueryStatus | '';
  onChange: (status: QueryStatus | '') => void;
}) {
  return (
    <label>
      Status
      <select value={value} onChange={(event) => onChange(event.currentTarget.value as QueryStatus | '')}>
        <option value="">any</option>
        <option value="running">running</option>
        <option value="completed">completed</option>
        <option value="expired">expired</option>
      </select>
    </label>
  );
}
