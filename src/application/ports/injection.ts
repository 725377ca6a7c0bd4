/** A typed injection token: the symbol under which the composition root registers a port's adapter. */
export type Token<T> = symbol & { readonly __port?: T };
export const token = <T>(name: string): Token<T> => Symbol(name) as Token<T>;
