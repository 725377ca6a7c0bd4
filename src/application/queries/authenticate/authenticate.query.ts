/** Turns a bearer token into the caller, re-reading the account on every request. */
export class AuthenticateQuery {
  constructor(readonly token: string) {}
}
