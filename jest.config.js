/** Unit tests: every `*.spec.ts` beside the code in apps/ and libs/. */
const { aliases } = require('./jest.aliases');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testRegex: '\\.spec\\.ts$',
  // Type checking is `npm run typecheck`'s job; tests only transpile.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleNameMapper: aliases,
  moduleFileExtensions: ['ts', 'js', 'json'],
};
