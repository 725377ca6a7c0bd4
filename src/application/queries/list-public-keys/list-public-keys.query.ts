/** The public keys that verify access tokens: anyone may ask. */
export class ListPublicKeysQuery {}
