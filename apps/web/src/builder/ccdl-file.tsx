import { useRef, useState } from 'preact/hooks';
import type { StructuredQuery } from '../api/api-types';
import { importCcdl, type ImportIssue } from './ccdl-import';
import type { QueryDraft } from './query-draft';

/** The CCDL JSON of the draft to read, and import and export of CCDL files. */
export function CcdlFile({
  query,
  onImport,
}: {
  query: StructuredQuery | null;
  onImport: (draft: QueryDraft) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [issues, setIssues] = useState<ImportIssue[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const json = query === null ? '' : JSON.stringify(query, null, 2);

  const exportFile = () => {
    const url = URL.createObjectURL(new Blob([`${json}\n`], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'feasibility-query.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const importFile = async (file: File) => {
    const result = importCcdl(await file.text());
    if (result.ok) {
      setIssues([]);
      setNote(`Loaded ${file.name}.`);
      onImport(result.value);
    } else {
      setNote(`${file.name} cannot be loaded:`);
      setIssues(result.error);
    }
  };

  return (
    <section class="ccdl-file" aria-labelledby="ccdl-title">
      <h3 id="ccdl-title">CCDL</h3>
      <div class="row">
        {/* The file input inside its label: the label looks like a button and shows the input's keyboard focus. */}
        <label class="button-like">
          Import CCDL file
          <input
            id="ccdl-import"
            ref={input}
            class="visually-hidden"
            type="file"
            accept="application/json,.json"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              if (file !== undefined) {
                void importFile(file);
              }
              event.currentTarget.value = '';
            }}
          />
        </label>
        <button type="button" onClick={exportFile} disabled={query === null}>
          Export CCDL file
        </button>
      </div>
      <div role="status">
        {note !== null && <p>{note}</p>}
        {issues.length > 0 && (
          <ul class="issues">
            {issues.map((issue) => (
              <li key={issue.path + issue.message}>
                <code>{issue.path}</code>: {issue.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <details>
        <summary>CCDL JSON</summary>
        <pre class="json" tabIndex={0} aria-label="CCDL JSON of the query">
          {json === '' ? 'Add an inclusion criterion first.' : json}
        </pre>
      </details>
    </section>
  );
}
