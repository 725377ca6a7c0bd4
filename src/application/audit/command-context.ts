import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who asks and from where, for the audit log: the caller's id when the request was authenticated,
 * the request's id and the caller's address. The HTTP adapter hands it to the command bus with
 * each command; the core reads it when it stamps the command's events.
 */
export interface CommandContext {
  readonly actorId: number | null;
  readonly requestId: string | null;
  readonly ip: string | null;
}

/** A command run by the service itself (start-up, the command line). */
export const NO_CONTEXT: CommandContext = Object.freeze({
  actorId: null,
  requestId: null,
  ip: null,
});

const contexts = new AsyncLocalStorage<CommandContext>();

/** Runs `work` with `context` as the context of every command it starts. */
export const runWithContext = <T>(context: CommandContext, work: () => Promise<T>): Promise<T> =>
  contexts.run(context, work);

export const currentContext = (): CommandContext => contexts.getStore() ?? NO_CONTEXT;
