import { token } from './injection.js';

export interface Clock {
  now(): Date;
}

export const CLOCK = token<Clock>('Clock');
