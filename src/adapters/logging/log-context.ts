/**
 * Fields that every line written while some work runs carries, whoever writes it (a handler, the
 * slow-query hook, a library's warning): the request's `request_id`, set once where the request
 * enters. Kept in an AsyncLocalStorage, so it follows the work through every await.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type ContextFields = Readonly<Record<string, unknown>>;

const storage = new AsyncLocalStorage<ContextFields>();

/** Runs `work` with `fields` added to every log line written during it (and what it starts). */
export function withLogContext<T>(fields: ContextFields, work: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer === undefined ? fields : { ...outer, ...fields }, work);
}

/** A line's own fields over the context's: a caller may still name a field itself. */
export function withContext(
  fields: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  const context = storage.getStore();
  if (context === undefined) return fields;
  return fields === undefined ? context : { ...context, ...fields };
}
