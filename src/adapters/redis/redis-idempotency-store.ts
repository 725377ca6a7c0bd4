import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../application/ports/clock.js';
import {
  outcomeForKept,
  type IdempotencyBegin,
  type IdempotencyRequest,
  type IdempotencyStore,
  type IdempotencyTicket,
  type StoredResponse,
} from '../../application/ports/idempotency-store.js';

/**
 * A stored value: `v1|<expires at, epoch ms>|<claim>|<state>|<JSON>`. The header is what the
 * scripts below need (liveness by the service's clock, the claim, the state) without parsing
 * the JSON; the JSON holds the fingerprint and, once completed, the response.
 */
const HEADER = '^v1|(%d+)|([^|]+)|([%a_]+)|';
const VALUE = /^v1\|(\d+)\|([^|]+)\|(in_flight|completed)\|(.*)$/s;

/** Claims the key unless a live value holds it (returns that value then, nil when claimed). */
const BEGIN = `
local current = redis.call('GET', KEYS[1])
if current then
  local expires = tonumber((string.match(current, '${HEADER}')))
  if expires and expires > tonumber(ARGV[1]) then return current end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return false`;

/** Replaces the value (ARGV[2], PX ARGV[3]), or deletes it when ARGV[2] is empty, if claim ARGV[1] holds it in flight. */
const SETTLE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local _, claim, state = string.match(current, '${HEADER}')
if claim ~= ARGV[1] or state ~= 'in_flight' then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1`;

interface KeptJson {
  readonly fingerprint: string;
  readonly response: StoredResponse | null;
}

/**
 * Idempotency keys in Redis, shared by every instance: each step is one atomic Lua script, a value
 * past its time by the service's clock counts as absent (`PX` removes it later), and key names are
 * hashes of scope and key. A Redis that cannot answer makes the call reject at once; the caller
 * decides what that means (decision 0011).
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly shas = new Map<string, string>();

  constructor(
    private readonly client: Redis,
    private readonly clock: Clock,
    private readonly keyPrefix = 'um',
  ) {}

  async begin(request: IdempotencyRequest): Promise<IdempotencyBegin> {
    const now = this.clock.now().getTime();
    const claim = randomUUID();
    const leaseMs = Math.max(1, Math.round(request.leaseS * 1000));
    const value = encode(now + leaseMs, claim, 'in_flight', {
      fingerprint: request.fingerprint,
      response: null,
    });
    const current = await this.script(BEGIN, this.redisKey(request.scope, request.key), [
      String(now),
      value,
      String(leaseMs),
    ]);
    if (current === null)
      return {
        outcome: 'new',
        ticket: { scope: request.scope, key: request.key, fingerprint: request.fingerprint, claim },
      };
    return outcomeForKept(decode(String(current)), request.fingerprint);
  }

  async complete(
    ticket: IdempotencyTicket,
    response: StoredResponse,
    ttlS: number,
  ): Promise<boolean> {
    const ttlMs = Math.max(1, Math.round(ttlS * 1000));
    const expiresAt = this.clock.now().getTime() + ttlMs;
    const value = encode(expiresAt, ticket.claim, 'completed', {
      fingerprint: ticket.fingerprint,
      response: { ...response, body: response.body ?? null },
    });
    return (
      (await this.script(SETTLE, this.redisKey(ticket.scope, ticket.key), [
        ticket.claim,
        value,
        String(ttlMs),
      ])) === 1
    );
  }

  async release(ticket: IdempotencyTicket): Promise<boolean> {
    return (
      (await this.script(SETTLE, this.redisKey(ticket.scope, ticket.key), [
        ticket.claim,
        '',
        '0',
      ])) === 1
    );
  }

  private redisKey(scope: string, key: string): string {
    return `${this.keyPrefix}:idempotency:${createHash('sha256').update(scope).update('\u0000').update(key).digest('hex')}`;
  }

  /** Runs a script by its SHA-1, loading it once when Redis does not know it yet. */
  private async script(source: string, key: string, args: string[]): Promise<unknown> {
    let sha = this.shas.get(source);
    if (sha === undefined) {
      sha = createHash('sha1').update(source).digest('hex');
      this.shas.set(source, sha);
    }
    try {
      return await this.client.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(source, 1, key, ...args);
    }
  }
}

function encode(
  expiresAt: number,
  claim: string,
  state: 'in_flight' | 'completed',
  kept: KeptJson,
): string {
  return `v1|${expiresAt}|${claim}|${state}|${JSON.stringify(kept)}`;
}

function decode(value: string): KeptJson {
  const match = VALUE.exec(value);
  if (match === null) throw new Error('Unreadable idempotency record in Redis');
  return JSON.parse(match[4]!) as KeptJson;
}
