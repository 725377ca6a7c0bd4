/** Whoever holds a verification token proves the address it was sent to. */
export class VerifyEmailCommand {
  constructor(readonly token: string) {}
}
