import { inject, injectable } from 'tsyringe';
import { runWithContext, type CommandContext } from './audit/command-context.js';
import {
  HANDLER_RESOLVER,
  type Constructor,
  type HandlerResolver,
} from './ports/handler-resolver.js';
import { LOGGER, type Logger } from './ports/logger.js';
import { UNIT_OF_WORK, type UnitOfWork } from './ports/unit-of-work.js';

/** A command changes state and returns at most the new id or view. */
export interface CommandHandler<C, R> {
  execute(command: C): Promise<R>;
}

/** A query never changes state. */
export interface QueryHandler<Q, R> {
  execute(query: Q): Promise<R>;
}

/**
 * A handler class may say `static readonly transactional = false` when it must not hold a
 * transaction open (for example while it checks a password hash).
 */
type HandlerClass<H> = Constructor<H> & { readonly transactional?: boolean };

export interface Envelope {
  readonly kind: 'command' | 'query';
  readonly name: string;
  readonly handlerClass: HandlerClass<unknown>;
  readonly message: unknown;
}

/** Cross-cutting work around every handler, written once. */
export type BusMiddleware = (envelope: Envelope, next: () => Promise<unknown>) => Promise<unknown>;

abstract class Bus {
  private readonly handlers = new Map<Function, unknown>();

  constructor(
    private readonly resolver: HandlerResolver,
    private readonly middleware: readonly BusMiddleware[],
  ) {}

  protected dispatch<M, R>(
    kind: Envelope['kind'],
    handlerClass: HandlerClass<{ execute(message: M): Promise<R> }>,
    message: M,
  ): Promise<R> {
    let handler = this.handlers.get(handlerClass) as
      | { execute(message: M): Promise<R> }
      | undefined;
    if (handler === undefined) {
      handler = this.resolver.resolve(handlerClass);
      this.handlers.set(handlerClass, handler);
    }
    const envelope: Envelope = { kind, name: handlerClass.name, handlerClass, message };
    const run = (index: number): Promise<unknown> => {
      const layer = this.middleware[index];
      return layer === undefined ? handler.execute(message) : layer(envelope, () => run(index + 1));
    };
    return run(0) as Promise<R>;
  }
}

export function loggingMiddleware(logger: Logger): BusMiddleware {
  return async (envelope, next) => {
    const started = performance.now();
    try {
      return await next();
    } finally {
      logger.debug('handled', {
        event: 'handler',
        kind: envelope.kind,
        handler: envelope.name,
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  };
}

/** The timing layer when its debug lines are written; none otherwise (a layer costs every call). */
const timing = (logger: Logger): BusMiddleware[] =>
  logger.isEnabled('debug') ? [loggingMiddleware(logger)] : [];

export function unitOfWorkMiddleware(uow: UnitOfWork): BusMiddleware {
  return (envelope, next) =>
    envelope.handlerClass.transactional === false ? next() : uow.run(next);
}

/** The command bus as one caller sees it: every command runs in that caller's context. */
export interface CommandDispatcher {
  execute<C, R>(handler: HandlerClass<CommandHandler<C, R>>, command: C): Promise<R>;
}

@injectable()
export class CommandBus extends Bus implements CommandDispatcher {
  constructor(
    @inject(HANDLER_RESOLVER) resolver: HandlerResolver,
    @inject(UNIT_OF_WORK) uow: UnitOfWork,
    @inject(LOGGER) logger: Logger,
  ) {
    super(resolver, [...timing(logger), unitOfWorkMiddleware(uow)]);
  }

  execute<C, R>(handler: HandlerClass<CommandHandler<C, R>>, command: C): Promise<R> {
    return this.dispatch('command', handler, command);
  }

  /** The bus for one caller: its commands' events carry `context` (actor, request id, address). */
  in(context: CommandContext): CommandDispatcher {
    return {
      execute: <C, R>(handler: HandlerClass<CommandHandler<C, R>>, command: C): Promise<R> =>
        runWithContext(context, () => this.execute(handler, command)),
    };
  }
}

@injectable()
export class QueryBus extends Bus {
  constructor(@inject(HANDLER_RESOLVER) resolver: HandlerResolver, @inject(LOGGER) logger: Logger) {
    super(resolver, timing(logger));
  }

  execute<Q, R>(handler: HandlerClass<QueryHandler<Q, R>>, query: Q): Promise<R> {
    return this.dispatch('query', handler, query);
  }
}
