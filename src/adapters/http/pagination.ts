import type Koa from 'koa';
import type { Page } from '../../application/ports/views.js';

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
  if (request.page > 1) links.push(link(Math.min(request.page - 1, Math.max(totalPages, 1)), 'prev'));
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
    },
    headers: { Link: links.join(', ') },
  };
}

export const pageSchema = (item: Record<string, unknown>) => ({
  type: 'object',
  required: ['items', 'total', 'page', 'page_size', 'total_pages'],
  properties: {
    items: { type: 'array', items: item },
    total: { type: 'integer', minimum: 0 },
    page: { type: 'integer', minimum: 1 },
    page_size: { type: 'integer', minimum: 1, maximum: 100 },
    total_pages: { type: 'integer', minimum: 0 },
  },
});
