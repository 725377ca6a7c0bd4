/**
 * The whole HTTP suite, once on the in-memory adapters and once more on PostgreSQL (each suite
 * on a fresh store).
 */
import { describeStorages } from '../support/storage.js';
import { authSuite } from './suites/auth.suite.js';
import { conventionsSuite } from './suites/conventions.suite.js';
import { errorsSuite } from './suites/errors.suite.js';
import { idempotencySuite } from './suites/idempotency.suite.js';
import { listSuite } from './suites/list.suite.js';
import { operationsSuite } from './suites/operations.suite.js';
import { ordersSuite } from './suites/orders.suite.js';
import { seedArticleSuite } from './suites/seed-article.suite.js';
import { sessionsSuite } from './suites/sessions.suite.js';
import { usersSuite } from './suites/users.suite.js';
import { versionsSuite } from './suites/versions.suite.js';

describeStorages('HTTP API', ['in-memory', 'postgresql'], (target) => {
  const open = () => target.open();
  seedArticleSuite(open);
  conventionsSuite(open);
  errorsSuite(open);
  usersSuite(open);
  listSuite(open);
  ordersSuite(open);
  authSuite(open);
  sessionsSuite(open);
  operationsSuite(open);
  versionsSuite(open);
  idempotencySuite(open);
});
