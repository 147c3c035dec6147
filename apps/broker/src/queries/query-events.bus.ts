import { Injectable } from '@nestjs/common';
import { filter, map, type Observable, Subject } from 'rxjs';

/** In-process notice that a query changed (a result arrived, it completed or expired); listeners re-read the store. */
@Injectable()
export class QueryEventsBus {
  private readonly changes$ = new Subject<string>();

  /** Tells listeners of `queryId` to look again. */
  notify(queryId: string): void {
    this.changes$.next(queryId);
  }

  /** Emits whenever `queryId` changed; completes when the broker shuts down. */
  changes(queryId: string): Observable<void> {
    return this.changes$.pipe(
      filter((id) => id === queryId),
      map(() => undefined),
    );
  }

  /** Ends every listener, so open event streams close before the HTTP server does. */
  close(): void {
    this.changes$.complete();
  }
}
