// The ordered header fields of a message. Names are matched case-insensitively and compact
// forms are understood (RFC 3261 §7.3.1, §7.3.3); order is preserved because it carries
// meaning for Via, Route and Record-Route (RFC 3261 §7.3.1: "the relative order of header
// field rows with the same field name is important").

import { headerKey, isToken, lookupHeader } from './header-names';
import { splitList } from './split';

export interface SipHeaderField {
  /** The name as received, or as given to append()/set(). */
  readonly name: string;
  /** Lower-case long form used for lookups ("v" and "VIA" both give "via"). */
  readonly key: string;
  /** Unfolded value, leading and trailing whitespace removed. */
  readonly value: string;
}

/** Headers for a message being built: [name, value] pairs, or name → value(s). */
export type HeaderInit =
  | ReadonlyArray<readonly [name: string, value: string]>
  | Readonly<Record<string, string | number | readonly string[]>>;

/** Headers whose values hold commas that do not separate list elements. */
const NOT_A_LIST = new Set([
  'call-id',
  'cseq',
  'date',
  'subject',
  'user-agent',
  'server',
  'organization',
  'retry-after',
  'timestamp',
  'www-authenticate',
  'proxy-authenticate',
  'authorization',
  'proxy-authorization',
  'authentication-info',
  'identity',
]);

export function makeField(name: string, value: string): SipHeaderField {
  if (!isToken(name)) throw new TypeError(`invalid SIP header name ${JSON.stringify(name)}`);
  // A CR or LF in a value would let the caller inject header lines or a body.
  if (/[\r\n]/.test(value)) throw new TypeError(`SIP header ${name} value contains CR or LF`);
  const def = lookupHeader(name);
  return { name, key: def === undefined ? name.toLowerCase() : def.key, value: value.trim() };
}

export class SipHeaders implements Iterable<SipHeaderField> {
  private list: SipHeaderField[];
  private rev = 0;

  constructor(init?: HeaderInit | SipHeaders) {
    this.list = [];
    if (init === undefined) return;
    if (init instanceof SipHeaders) {
      this.list = init.list.slice();
    } else if (Array.isArray(init)) {
      for (const [name, value] of init as ReadonlyArray<readonly [string, string]>) this.list.push(makeField(name, value));
    } else {
      for (const [name, value] of Object.entries(init as Readonly<Record<string, string | number | readonly string[]>>)) {
        if (typeof value === 'string' || typeof value === 'number') this.list.push(makeField(name, String(value)));
        else for (const v of value) this.list.push(makeField(name, v));
      }
    }
  }

  /** Wraps fields the parser already validated, without copying them. */
  static fromParsedFields(fields: SipHeaderField[]): SipHeaders {
    const h = new SipHeaders();
    h.list = fields;
    return h;
  }

  /** Bumped by every change, so that cached typed views can tell they are stale. */
  get version(): number {
    return this.rev;
  }

  /** Number of header fields (rows), not of comma-separated values. */
  get size(): number {
    return this.list.length;
  }

  [Symbol.iterator](): Iterator<SipHeaderField> {
    return this.list[Symbol.iterator]();
  }

  /** The fields in order, without copying them (do not mutate; use the methods). */
  fieldArray(): readonly SipHeaderField[] {
    return this.list;
  }

  /** All fields in order, or those of one header. */
  fields(name?: string): SipHeaderField[] {
    if (name === undefined) return this.list.slice();
    const key = headerKey(name);
    return this.list.filter((f) => f.key === key);
  }

  has(name: string): boolean {
    return this.indexOf(headerKey(name)) >= 0;
  }

  /** Value of the first field of that name. */
  get(name: string): string | undefined {
    const i = this.indexOf(headerKey(name));
    return i < 0 ? undefined : this.list[i].value;
  }

  /** Values of every field of that name, one per row, commas untouched. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    for (const f of this.list) if (f.key === key) out.push(f.value);
    return out;
  }

  /**
   * The list elements of a header across all its rows: "Allow: INVITE, ACK" and two
   * "Allow" rows give the same answer (RFC 3261 §7.3.1). Headers that are not lists
   * (Date, Authorization, ...) come back one element per row.
   */
  values(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    const split = !NOT_A_LIST.has(key);
    for (const f of this.list) {
      if (f.key !== key) continue;
      if (split) for (const v of splitList(f.value)) out.push(v);
      else out.push(f.value);
    }
    return out;
  }

  append(name: string, value: string | number): this {
    this.list.push(makeField(name, String(value)));
    this.rev++;
    return this;
  }

  /** Adds a row above all others, as a proxy does with its Via (RFC 3261 §16.6 step 8). */
  prepend(name: string, value: string | number): this {
    const field = makeField(name, String(value));
    const i = this.indexOf(field.key);
    this.list.splice(i < 0 ? 0 : i, 0, field);
    this.rev++;
    return this;
  }

  /** Replaces every row of that name by the given value(s), where the first row was. */
  set(name: string, value: string | number | readonly string[]): this {
    const values = typeof value === 'string' || typeof value === 'number' ? [String(value)] : value;
    const fields = values.map((v) => makeField(name, v));
    const key = headerKey(name);
    const at = this.indexOf(key);
    this.list = this.list.filter((f) => f.key !== key);
    this.list.splice(at < 0 ? this.list.length : at, 0, ...fields);
    this.rev++;
    return this;
  }

  /** Removes every row of that name; returns how many there were. */
  delete(name: string): number {
    const key = headerKey(name);
    const before = this.list.length;
    this.list = this.list.filter((f) => f.key !== key);
    const removed = before - this.list.length;
    if (removed > 0) this.rev++;
    return removed;
  }

  /**
   * Removes and returns the first list element of a header, whether it sits alone in a
   * row or first in a comma list: the topmost Via of a response (RFC 3261 §18.1.2) or the
   * topmost Route of a request (RFC 3261 §16.4).
   */
  shiftValue(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.indexOf(key);
    if (i < 0) return undefined;
    const field = this.list[i];
    const parts = splitList(field.value);
    if (parts.length <= 1) this.list.splice(i, 1);
    else this.list[i] = { name: field.name, key, value: parts.slice(1).join(', ') };
    this.rev++;
    return parts[0] ?? '';
  }

  clone(): SipHeaders {
    return new SipHeaders(this);
  }

  private indexOf(key: string): number {
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i].key === key) return i;
    return -1;
  }
}
