/** The audit events over HTTP, on every store. */
import { describeStorages } from '../support/storage.js';
import { auditSuite } from './suites/audit.suite.js';

describeStorages('HTTP API: audit events', (target) => {
  auditSuite(() => target.open());
});
