import { inject, injectable } from 'tsyringe';
import type { QueryHandler } from '../../bus.js';
import { PUBLIC_KEY_SET, type PublicKeySet, type PublishedKey } from '../../ports/tokens.js';
import type { ListPublicKeysQuery } from './list-public-keys.query.js';

/**
 * The active signing key and the retired ones still accepted, public halves only, so that other
 * services verify access tokens without calling this one.
 */
@injectable()
export class ListPublicKeysHandler
  implements QueryHandler<ListPublicKeysQuery, readonly PublishedKey[]>
{
  constructor(@inject(PUBLIC_KEY_SET) private readonly keys: PublicKeySet) {}

  async execute(_query: ListPublicKeysQuery): Promise<readonly PublishedKey[]> {
    return this.keys.publishedKeys();
  }
}
