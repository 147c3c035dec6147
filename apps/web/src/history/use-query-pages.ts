import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { QueryListEntry } from '../api/api-types';
import type { BrokerApi, QueryListRequest } from '../api/broker-api.client';

/** Pages of the query history read so far, and how to read the next one. */
export interface QueryPages {
  items: QueryListEntry[];
  /** Every entry the filters match, on all pages. */
  totalItems: number | null;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  loadMore: () => void;
  reload: () => void;
}

const PAGE_SIZE = 20;

/** Reads the history page by page with the broker's cursor; starts over when the filters change. */
export function useQueryPages(api: BrokerApi, filters: Omit<QueryListRequest, 'cursor' | 'limit'>): QueryPages {
  const [items, setItems] = useState<QueryListEntry[]>([]);
  const [totalItems, setTotalItems] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);
  // Answers of an older request (other filters, a reload) must not land in the current list.
  const generation = useRef(0);
  const key = JSON.stringify(filters);

  const read = useCallback(
    (after: string | null) => {
      const mine = generation.current;
      setLoading(true);
      setError(null);
      api.listQueries({ ...filters, limit: PAGE_SIZE, ...(after === null ? {} : { cursor: after }) }).then(
        (page) => {
          if (mine !== generation.current) {
            return;
          }
          setItems((current) => (after === null ? page.items : [...current, ...page.items]));
          setTotalItems(page.totalItems);
          setCursor(page.nextCursor);
          setLoading(false);
        },
        (failure: unknown) => {
          if (mine === generation.current) {
            setError(failure instanceof Error ? failure.message : String(failure));
            setLoading(false);
          }
        },
      );
    },
    // The filters are compared by value.
    [api, key],
  );

  useEffect(() => {
    generation.current += 1;
    setItems([]);
    setTotalItems(null);
    setCursor(null);
    read(null);
  }, [read, reads]);

  return {
    items,
    totalItems,
    hasMore: cursor !== null,
    loading,
    error,
    loadMore: () => {
      if (cursor !== null && !loading) {
        read(cursor);
      }
    },
    reload: () => setReads((count) => count + 1),
  };
}
