import type { Clock } from '../../application/ports/clock.js';

/** The wall clock of the machine. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
