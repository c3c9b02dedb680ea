import { ClientBase, Query, QueryArrayConfig, QueryConfig } from 'pg';

/** A row as the cursor returns it: every column already text (or NULL). */
export type TextRow = (string | null)[];

/**
 * Runs one statement (here: a FETCH) and hands every row to `onRow` as it is parsed off the
 * socket, without collecting a result array. Rows then die young (cheap for the garbage
 * collector: the worker's memory stays flat whatever the batch size), and the CSV is built while
 * PostgreSQL is still sending the batch. Resolves with the number of rows.
 */
export function streamRows(client: ClientBase, text: string, onRow: (row: TextRow) => void): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const config: QueryArrayConfig = { text, rowMode: 'array' };
    const q = new Query<TextRow>(config as QueryConfig); // pg's Query takes rowMode; its typings only list it on client.query

    let n = 0;
    let failed: unknown;
    q.on('row', (row: TextRow) => {
      if (failed !== undefined) return;
      try {
        onRow(row);
        n++;
      } catch (e) {
        failed = e; // never throw into pg's socket parser
      }
    });
    q.on('error', reject);
    q.on('end', () => (failed === undefined ? resolve(n) : reject(failed)));
    client.query(q);
  });
}
