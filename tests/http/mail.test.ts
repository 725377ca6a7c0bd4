/** Email verification and password recovery through HTTP, on every store. */
import { describeStorages } from '../support/storage.js';
import { mailSuite } from './suites/mail.suite.js';

describeStorages('HTTP API', (target) => {
  mailSuite(() => target.open());
});
