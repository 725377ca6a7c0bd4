/** Sign-in with a username or an email and a password. */
export class IssueTokenCommand {
  constructor(
    readonly login: string,
    readonly password: string,
  ) {}
}

export interface TokenGrant {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  readonly expiresIn: number;
}
