import type Koa from 'koa';
import type { Page, Slice } from '../../application/ports/views.js';

/** Version 1's page body and its RFC 8288 `Link` header (first, prev, next, last). */
export function pageReply<T, J>(
  ctx: Koa.Context,
  request: { page: number; pageSize: number },
  page: Page<T>,
  present: (item: T) => J,
): { status: number; body: unknown; headers: Record<string, string> } {
  const totalPages = Math.ceil(page.total / request.pageSize);
  const link = (n: number, rel: string): string => {
    const search = new URLSearchParams(ctx.querystring);
    search.set('page', String(n));
    search.set('page_size', String(request.pageSize));
    return `<${ctx.path}?${search.toString()}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (request.page > 1)
    links.push(link(Math.min(request.page - 1, Math.max(totalPages, 1)), 'prev'));
  if (request.page < totalPages) links.push(link(request.page + 1, 'next'));
  links.push(link(Math.max(totalPages, 1), 'last'));
  return {
    status: 200,
    body: {
      items: page.items.map(present),
      total: page.total,
      page: request.page,
      page_size: request.pageSize,
      total_pages: totalPages,
      total_exact: page.totalExact ?? true,
    },
    headers: { Link: links.join(', ') },
  };
}

export const pageSchema = (item: Record<string, unknown>) => ({
  type: 'object',
  required: ['items', 'total', 'page', 'page_size', 'total_pages', 'total_exact'],
  properties: {
    items: { type: 'array', items: item, maxItems: 100 },
    total: {
      type: 'integer',
      minimum: 0,
      maximum: 2_147_483_647,
      description:
        'How many items match the filters, as the database saw them when the page was read: exact, except for a search with more than 10,000 matches, where it is an estimate (`total_exact` is false)',
    },
    page: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    page_size: { type: 'integer', minimum: 1, maximum: 100 },
    total_pages: {
      type: 'integer',
      minimum: 0,
      maximum: 2_147_483_647,
      description: 'Computed from `total`: an estimate when it is',
    },
    total_exact: {
      type: 'boolean',
      description:
        'False when `total` and `total_pages` are estimates (lists counted exactly up to a limit, past it)',
    },
  },
});

/** Version 2's keyset page: `{items, next_cursor}` and a `Link: rel="next"` while more follow. */
export function sliceReply<T, J>(
  ctx: Koa.Context,
  slice: Slice<T>,
  present: (item: T) => J,
  nextCursor: (last: T) => string,
): { status: number; body: unknown; headers: Record<string, string> } {
  const last = slice.items.at(-1);
  const next = slice.hasMore && last !== undefined ? nextCursor(last) : null;
  const headers: Record<string, string> = {};
  if (next !== null) {
    const search = new URLSearchParams(ctx.querystring);
    search.set('cursor', next);
    headers['Link'] = `<${ctx.path}?${search.toString()}>; rel="next"`;
  }
  return { status: 200, body: { items: slice.items.map(present), next_cursor: next }, headers };
}

export const sliceSchema = (item: Record<string, unknown>) => ({
  type: 'object',
  required: ['items', 'next_cursor'],
  properties: {
    items: { type: 'array', items: item, maxItems: 100 },
    next_cursor: {
      type: ['string', 'null'],
      maxLength: 4096,
      description: 'Opaque; null on the last page',
    },
  },
});
