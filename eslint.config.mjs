// Type-aware lint; module boundaries from HOUSE-STYLE §2 are enforced here and in .dependency-cruiser.cjs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

const frameworkFree = {
  patterns: [
    { group: ['@nestjs/*'], message: 'Libraries stay framework-free: no Nest.' },
    { group: ['nats', 'nats/*', 'pg', 'better-sqlite3'], message: 'Libraries take plain options; no transport or database driver.' },
    { group: ['apps/*', '../../apps/*', '**/apps/**'], message: 'Libraries never import apps.' },
    { group: ['**/libs/*/src/**'], message: 'Import another lib through its path alias (@fq/...).' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'bench/.data/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-console': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', frameworkFree], 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Libraries never read process.env; take options.' }] },
  },
  {
    // The transport lib is framework code by design (its README): Nest and NATS allowed, apps and deep imports not.
    files: ['libs/jetstream-transport/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: frameworkFree.patterns.slice(2) }] },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-disabled-tests': 'error',
      // Assertion helpers such as expectParsed() call expect themselves.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // CLIs and benchmarks print to the terminal by design.
    files: ['bench/**/*.ts', 'apps/*/src/cli/**/*.ts', 'apps/*/src/cli.ts'],
    rules: { 'no-console': 'off' },
  },
  prettier,
);
