import { expect } from 'chai';
import type Koa from 'koa';
import { pageReply } from '../../../../src/adapters/http/pagination.js';

const ctx = { path: '/api/v1/users', querystring: 'search=ada' } as Koa.Context;
const body = (page: Parameters<typeof pageReply>[2]) =>
  pageReply(ctx, { page: 1, pageSize: 50 }, page, (n) => n).body as Record<string, unknown>;

describe('v1 page bodies: total_exact', () => {
  it('is true for an exact total, whether or not the read model says so', () => {
    expect(body({ items: [1], total: 1 })).to.include({
      total: 1,
      total_pages: 1,
      total_exact: true,
    });
    expect(body({ items: [1], total: 1, totalExact: true })).to.include({ total_exact: true });
  });

  it('is false for an estimate, and the page count follows the estimate', () => {
    expect(body({ items: [1], total: 12_345, totalExact: false })).to.include({
      total: 12_345,
      total_pages: 247,
      total_exact: false,
    });
  });
});
