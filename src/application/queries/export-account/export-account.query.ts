import type { Actor } from '../../../domain/user/role.js';

/** Everything stored about the caller, as one document (the right of access). */
export class ExportAccountQuery {
  constructor(readonly actor: Actor) {}
}
