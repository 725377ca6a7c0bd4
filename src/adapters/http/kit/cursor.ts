/**
 * Opaque cursors for keyset pages (API v2): the position of the last item seen and a fingerprint
 * of the query (sort and filters), signed with HMAC-SHA-256 so that a cursor cannot be forged or
 * altered unnoticed, nor carried over to another query. A bad cursor is 400.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../../domain/shared/errors.js';
import { isId } from '../../../domain/shared/ids.js';

export interface Position {
  readonly key: string;
  readonly id: number;
}

const SIGNATURE_BYTES = 16;

export class CursorCodec {
  constructor(private readonly secret: Uint8Array) {}

  /** A short, stable digest of everything that shapes the list besides the position. */
  static fingerprint(query: Readonly<Record<string, unknown>>): string {
    const canonical = JSON.stringify(
      Object.keys(query)
        .sort()
        .map((key) => [key, query[key] ?? null]),
    );
    return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
  }

  encode(position: Position, fingerprint: string): string {
    const payload = Buffer.from(
      JSON.stringify({ k: position.key, i: position.id, q: fingerprint }),
    ).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string, fingerprint: string): Position {
    const invalid = () =>
      new DomainError('bad_request', 'Invalid cursor', [
        { field: 'cursor', message: 'Invalid cursor' },
      ]);
    const [payload, signature, extra] = cursor.split('.');
    if (
      payload === undefined ||
      signature === undefined ||
      extra !== undefined ||
      payload.length > 2048
    )
      throw invalid();
    const expected = Buffer.from(this.sign(payload), 'base64url');
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    const { k, i, q } = parsed as { k?: unknown; i?: unknown; q?: unknown };
    if (typeof k !== 'string' || !isId(i) || typeof q !== 'string') throw invalid();
    if (q !== fingerprint) {
      throw new DomainError(
        'bad_request',
        'The cursor belongs to another query: keep the sort and filters it was made with',
        [
          {
            field: 'cursor',
            message: 'Cursor does not match the sort and filters of this request',
          },
        ],
      );
    }
    return { key: k, id: i };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret)
      .update(payload)
      .digest()
      .subarray(0, SIGNATURE_BYTES)
      .toString('base64url');
  }
}
