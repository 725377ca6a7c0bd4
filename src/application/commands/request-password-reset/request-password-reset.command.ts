/** Anyone asks for a password-reset mail to an address. */
export class RequestPasswordResetCommand {
  constructor(
    readonly email: string,
    /** The caller's address, for the limit on mail requests. */
    readonly ip: string,
  ) {}
}
