/** Exchanges a refresh token for a new access token and a new refresh token of the same session. */
export class RefreshTokenCommand {
  constructor(
    readonly refreshToken: string,
    /** Where the refresh comes from: the session keeps it as where it was last used. */
    readonly ip: string | null = null,
    readonly userAgent: string | null = null,
  ) {}
}
