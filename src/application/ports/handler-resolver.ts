import { token } from './token.js';

export type Constructor<T> = new (...args: never[]) => T;

/** Builds handlers with their dependencies; the composition root backs it with the container. */
export interface HandlerResolver {
  resolve<T>(type: Constructor<T>): T;
}

export const HANDLER_RESOLVER = token<HandlerResolver>('HandlerResolver');
