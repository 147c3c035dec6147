/** Module boundaries (HOUSE-STYLE §2): libs never import apps, no cycles, lib-to-lib only as each lib README allows. */
const FRAMEWORK_FREE = '^libs/(ccdl|engine|privacy|contracts|synthetic|process-kit|logging|result|network-admin|private-files|catalog)/';

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'libs-never-import-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
    {
      name: 'no-app-imports-another-app',
      comment:
        'Each app is its own process: it imports neither the sources nor the build of another; what two of them ' +
        'share is a lib (enrolment and development tokens: @fq/network-admin).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^(apps|dist)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'test-and-bench-import-no-app',
      comment:
        'test/ and bench/ run the apps as processes from their built entry points (@fq/process-kit spawns ' +
        'dist/apps/<app>/…/main.js); they import libs, never an app, neither its sources nor its build.',
      severity: 'error',
      from: { path: '^(test|bench)/' },
      to: { path: '^(apps|dist)/' },
    },
    {
      name: 'libs-framework-free',
      severity: 'error',
      from: { path: FRAMEWORK_FREE },
      to: { path: 'node_modules/(@nestjs|nats|pg|better-sqlite3)/' },
    },
    { name: 'ccdl-imports-no-lib', severity: 'error', from: { path: '^libs/ccdl/' }, to: { path: '^libs/(?!ccdl/|result/)' } },
    { name: 'engine-imports-only-ccdl', severity: 'error', from: { path: '^libs/engine/' }, to: { path: '^libs/(?!engine/|ccdl/|result/)' } },
    { name: 'contracts-imports-only-ccdl', severity: 'error', from: { path: '^libs/contracts/' }, to: { path: '^libs/(?!contracts/|ccdl/|result/)' } },
    { name: 'privacy-imports-no-lib', severity: 'error', from: { path: '^libs/privacy/' }, to: { path: '^libs/(?!privacy/|result/)' } },
    { name: 'synthetic-imports-no-lib', severity: 'error', from: { path: '^libs/synthetic/' }, to: { path: '^libs/(?!synthetic/|result/)' } },
    {
      name: 'process-kit-imports-only-contracts',
      severity: 'error',
      from: { path: '^libs/process-kit/' },
      to: { path: '^libs/(?!process-kit/|contracts/|result/)' },
    },
    {
      name: 'jetstream-transport-imports-no-lib',
      comment: 'The one framework lib (Nest and NATS allowed, see its README): transport mechanics only, no domain.',
      severity: 'error',
      from: { path: '^libs/jetstream-transport/' },
      to: { path: '^libs/(?!jetstream-transport/|result/)' },
    },
    {
      name: 'result-imports-no-lib',
      comment: 'Every lib and app may import @fq/result (the failure value and the issue-path formatter); it imports nothing.',
      severity: 'error',
      from: { path: '^libs/result/' },
      to: { path: '^libs/(?!result/)' },
    },
    {
      name: 'network-admin-imports-contracts-and-private-files',
      severity: 'error',
      from: { path: '^libs/network-admin/' },
      to: { path: '^libs/(?!network-admin/|contracts/|private-files/|result/)' },
    },
    {
      name: 'private-files-imports-no-lib',
      severity: 'error',
      from: { path: '^libs/private-files/' },
      to: { path: '^libs/(?!private-files/|result/)' },
    },
    {
      name: 'catalog-imports-ccdl-contracts-engine-synthetic',
      comment: 'The criteria catalog: filter shapes from contracts, the default mapping from engine, code catalogs from synthetic.',
      severity: 'error',
      from: { path: '^libs/catalog/' },
      to: { path: '^libs/(?!catalog/|ccdl/|contracts/|engine/|synthetic/|result/)' },
    },
    { name: 'logging-imports-no-lib', severity: 'error', from: { path: '^libs/logging/' }, to: { path: '^libs/(?!logging/|result/)' } },
    {
      name: 'no-imports-into-test',
      comment:
        'test/ holds the end-to-end suites; what others need from it belongs in @fq/process-kit. One exception: the ' +
        "site agent's FHIR client specs run against the FHIR server double the end-to-end suite uses.",
      severity: 'error',
      from: { pathNot: '^test/|^apps/site-agent/src/site-data/fhir-server/[^/]+\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-deep-lib-imports',
      comment:
        'Outside a lib, import it through its path alias, which resolves to its src/index.ts. One exception: the spec ' +
        'that checks docs/examples on the demo data compares with the engine\'s reference evaluator, a test oracle kept ' +
        'out of the engine\'s entry and build.',
      severity: 'error',
      from: { pathNot: '^libs/([^/]+)/|^apps/demo/src/docs-examples\\.spec\\.ts$' },
      to: { path: '^libs/[^/]+/src/(?!index\\.ts$)' },
    },
  ],
  options: {
    // The root dist/ is seen but not followed: importing an app's build breaks the app rules above as its sources do.
    doNotFollow: { path: ['node_modules', '^dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(coverage|bench/\\.data)/|.+/dist/' },
  },
};
