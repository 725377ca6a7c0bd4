/** Sign-in with a username or an email and a password, from an address (for the login throttle). */
export class IssueTokenCommand {
  constructor(
    readonly login: string,
    readonly password: string,
    /** The caller's address, as the HTTP adapter sees it (honouring TRUST_PROXY). */
    readonly ip: string,
    /** The User-Agent header, kept with the session so its owner can tell it apart. */
    readonly userAgent: string | null = null,
  ) {}
}

/** An access token and the refresh token of its session. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly tokenType: 'bearer';
  /** Seconds. */
  readonly expiresIn: number;
  readonly refreshToken: string;
  /** Seconds until the session ends; refreshing does not extend it. */
  readonly refreshExpiresIn: number;
}
