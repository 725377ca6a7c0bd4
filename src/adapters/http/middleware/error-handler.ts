import type Koa from 'koa';
import { DomainError, type FieldIssue } from '../../../domain/shared/errors.js';
import type { Logger } from '../../../application/ports/logger.js';
import {
  ERROR_TABLE,
  type ErrorKind,
  HttpError,
  PROBLEM_CONTENT_TYPE,
  errorBodyV1,
  kindOfStatus,
  problemBody,
} from '../kit/errors.js';
import { setJsonBody } from '../kit/json-body.js';

interface Classified {
  readonly kind: ErrorKind;
  readonly message: string;
  readonly details?: readonly FieldIssue[] | undefined;
}

/** Library errors (body parser, router) carry an HTTP status; anything else is unexpected. */
function classify(error: unknown): Classified {
  if (error instanceof DomainError)
    return { kind: error.kind, message: error.message, details: error.details };
  if (error instanceof HttpError) return { kind: error.kind, message: error.message };
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const exposed =
      (error as { expose?: boolean; message?: string }).expose === true
        ? String((error as Error).message)
        : ERROR_TABLE[kindOfStatus(status)].title;
    return { kind: kindOfStatus(status), message: exposed };
  }
  return { kind: 'internal', message: 'Internal server error' };
}

/**
 * The one place errors become responses, for every layer: the status from the kind table, the
 * body in the contract's shape, the stack only in the log (`api_error`) and never to the client.
 */
export function errorHandler(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const { kind, message, details } = classify(error);
      const { status } = ERROR_TABLE[kind];
      if (status >= 500) {
        logger.error('request failed', {
          event: 'api_error',
          request_id: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status,
          error: error instanceof Error ? error.message : String(error),
          stack: error instanceof Error ? error.stack : undefined,
          cause:
            error instanceof Error && error.cause instanceof Error
              ? error.cause.message
              : undefined,
        });
      }
      if (kind === 'unauthorized') {
        const reason = ctx.state.authError;
        ctx.set(
          'WWW-Authenticate',
          reason === 'invalid_token' || reason === 'invalid_request'
            ? `Bearer error="${reason}"`
            : 'Bearer',
        );
      }
      const meta = error instanceof DomainError ? error.meta : undefined;
      if (meta?.['retryAfterS'] !== undefined) ctx.set('Retry-After', String(meta['retryAfterS']));
      ctx.status = status;
      const input = {
        kind,
        message,
        path: ctx.path,
        requestId: String(ctx.state.requestId),
        details,
      };
      if (ctx.state.apiVersion === 2) {
        ctx.set('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
        setJsonBody(ctx, problemBody(input));
      } else {
        setJsonBody(ctx, errorBodyV1(input));
      }
    }
  };
}

/** After the routers: a known path with another method is 405 (with `Allow`), anything else 404. */
export function unmatched(): Koa.Middleware {
  return async (ctx, next) => {
    await next();
    if (
      (ctx.status === 405 || ctx.status === 501) &&
      (ctx.body === undefined || ctx.body === null)
    ) {
      throw new HttpError(
        'method_not_allowed',
        `Method ${ctx.method} is not allowed on ${ctx.path}`,
      );
    }
    if (ctx.status === 404 && (ctx.body === undefined || ctx.body === null)) {
      throw new DomainError('not_found', `Route ${ctx.method} ${ctx.path} not found`);
    }
  };
}
