import type { Clock } from '../../application/ports/clock.js';

/**
 * A clock that moves only when told to, for tests: tokens can be expired, locks lifted and
 * timestamps asserted exactly. `now()` returns a fresh copy, so callers cannot move it by
 * mutating the Date they received.
 */
export class FixedClock implements Clock {
  private current: number;

  constructor(start: Date | string | number = '2026-01-01T00:00:00.000Z') {
    this.current = FixedClock.toMillis(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(date: Date | string | number): this {
    this.current = FixedClock.toMillis(date);
    return this;
  }

  /** Moves the clock by `ms` milliseconds (negative values move it back). */
  advance(ms: number): this {
    if (!Number.isFinite(ms)) throw new RangeError(`Cannot advance a clock by ${ms} ms`);
    this.current += ms;
    return this;
  }

  private static toMillis(value: Date | string | number): number {
    const millis = new Date(value).getTime();
    if (Number.isNaN(millis)) throw new RangeError(`Not a valid date: ${String(value)}`);
    return millis;
  }
}
