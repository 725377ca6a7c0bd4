import { createHash } from 'node:crypto';
import type Koa from 'koa';
import type { ExpectedVersions } from '../../application/preconditions.js';

/** A strong ETag from the resource's version, which changes on every write. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * `If-Match` as the versions it names: undefined when absent or `*` (the handler's 404 covers a
 * missing resource); weak or foreign tags cannot match, so they yield an empty list (412).
 */
export function expectedVersions(ctx: Koa.Context): ExpectedVersions {
  const header = ctx.get('If-Match').trim();
  if (header === '' || header === '*') return undefined;
  const versions: number[] = [];
  for (const tag of header.split(',')) {
    const match = /^"(\d{1,10})"$/.exec(tag.trim());
    if (match?.[1] !== undefined) versions.push(Number(match[1]));
  }
  return versions;
}

/** The reply with its ETag (the pipeline sets its headers), 304 when `If-None-Match` already has it. */
export const withETag = (ctx: Koa.Context, version: number, body: unknown) =>
  withEntityTag(ctx, etagOf(version), body);

/** A strong ETag from the representation itself, for what has no version of its own. */
export const contentETag = (body: unknown): string =>
  `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;

/** `withETag` for any strong ETag. */
export function withEntityTag(
  ctx: Koa.Context,
  etag: string,
  body: unknown,
): { status: number; body?: unknown; headers: Record<string, string> } {
  const ifNoneMatch = ctx.get('If-None-Match');
  if (ifNoneMatch !== '') {
    const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    if (tags.includes('*') || tags.includes(etag)) return { status: 304, headers: { ETag: etag } };
  }
  return { status: 200, body, headers: { ETag: etag } };
}
