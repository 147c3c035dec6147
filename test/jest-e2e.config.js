/** End-to-end suites: real nats-server, real processes. */
const base = require('../jest.config');

module.exports = {
  ...base,
  rootDir: '..',
  roots: ['<rootDir>/test'],
  testRegex: '\\.e2e-spec\\.ts$',
  testTimeout: 60000,
};
