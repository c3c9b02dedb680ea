import { Client, ClientBase, ClientConfig, CustomTypesConfig, Pool, PoolConfig, types } from 'pg';

/**
 * Emmett's driver layer (dumbo) replaces pg's GLOBAL type parsers when a store is created:
 * int8 becomes BigInt, and json/jsonb go through a reviver that turns long numeric strings
 * (e.g. a 19-digit ICCID kept as a string) into BigInt. That would change what every other pg
 * user in the process (TypeORM read models, consumers' handlers) gets back. So:
 *  - every connection this library opens carries its own parsers (int8 → string as pg does,
 *    json/jsonb → JSON.parse), independent of the globals, and
 *  - `withPristineGlobalParsers` puts the globals back after Emmett has touched them.
 */
const OWN_OIDS = { int8: 20, json: 114, jsonb: 3802 } as const;
const asString = (v: string): string => v;
const parseJson = (v: string): unknown => JSON.parse(v);

export const pgTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === OWN_OIDS.int8) return asString;
      if (oid === OWN_OIDS.json || oid === OWN_OIDS.jsonb) return parseJson;
    }
    return format === 'binary' ? types.getTypeParser(oid, 'binary') : types.getTypeParser(oid, 'text');
  }) as CustomTypesConfig['getTypeParser'],
};

export function withPristineGlobalParsers<T>(create: () => T): T {
  const saved = Object.values(OWN_OIDS).map((oid) => [oid, types.getTypeParser(oid, 'text')] as const);
  const restore = () => {
    for (const [oid, parser] of saved) types.setTypeParser(oid, 'text', parser);
  };
  try {
    const result = create();
    // Emmett may set them lazily (its migrations open their own driver objects): restore again after.
    if (result instanceof Promise) void result.finally(restore).catch(() => undefined);
    return result;
  } finally {
    restore();
  }
}

export function createPool(connectionString: string, config: Omit<PoolConfig, 'connectionString' | 'types'> = {}): Pool {
  const pool = new Pool({ ...config, connectionString, types: pgTypes });
  // An idle client whose server went away emits 'error' on the pool; the next checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

export function createClient(connectionString: string, config: Omit<ClientConfig, 'connectionString' | 'types'> = {}): Client {
  return new Client({ ...config, connectionString, types: pgTypes });
}

/** Anything that runs a query: a Pool, a pooled client, a Client (also inside a transaction). */
export type Queryable = Pool | ClientBase;
