/**
 * The account routes (sessions per device, self-service, published keys) on every store: in
 * memory, PGlite and PostgreSQL.
 */
import { describeStorages } from '../support/storage.js';
import { accountSuite } from './suites/account.suite.js';

describeStorages('HTTP API: the caller’s account', (target) => {
  accountSuite(() => target.open());
});
