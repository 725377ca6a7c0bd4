import { token } from './injection.js';

// biome-ignore lint/suspicious/noExplicitAny: handler constructors take any dependencies
export type Constructor<T> = new (...args: any[]) => T;

/** Builds handlers with their dependencies; the composition root backs it with the container. */
export interface HandlerResolver {
  resolve<T>(type: Constructor<T>): T;
}

export const HANDLER_RESOLVER = token<HandlerResolver>('HandlerResolver');
