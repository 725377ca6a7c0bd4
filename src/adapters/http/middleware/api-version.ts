import type Koa from 'koa';
import { DomainError } from '../../../domain/shared/errors.js';
import { API_VERSIONS, type ApiVersion } from '../kit/route.js';

const PREFIXED = /^\/api\/v(\d+)(?:\/|$)/;

/**
 * Decides which version serves the request: the prefix (`/api/v2/...`) when there is one;
 * for the unprefixed resource paths, the `X-API-Version` header (1 when absent). Any other
 * header value is 400 `Unsupported API version: <value>`. `unversioned` paths (health, metrics,
 * documentation) are answered the same by every version.
 */
export function apiVersion(unversioned: (path: string) => boolean): Koa.Middleware {
  return async (ctx, next) => {
    let version: ApiVersion = 1;
    const prefixed = PREFIXED.exec(ctx.path);
    if (prefixed !== null) {
      const asked = Number(prefixed[1]);
      if ((API_VERSIONS as readonly number[]).includes(asked)) version = asked as ApiVersion;
    } else if (!unversioned(ctx.path)) {
      const header = ctx.get('X-API-Version').trim();
      if (header !== '') {
        if (!API_VERSIONS.map(String).includes(header)) {
          throw new DomainError('bad_request', `Unsupported API version: ${header.slice(0, 40)}`);
        }
        version = Number(header) as ApiVersion;
      }
      ctx.set('Vary', 'X-API-Version');
    }
    ctx.state.apiVersion = version;
    ctx.state.apiBase = `/api/v${version}`;
    await next();
  };
}
