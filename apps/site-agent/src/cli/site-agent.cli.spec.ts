import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadOrCreateSiteSecret } from '../protection/site-secret.store';
import { runSiteAgentCli } from './__fixtures__/cli-run';
import { FEMALE_QUERY } from '../queries/__fixtures__/site-world';

const KDS = join(__dirname, '../../../../../shared/fixtures/mii-kds');

describe('site-agent CLI', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'site-agent-cli-'));
    writeFileSync(join(dir, 'female.json'), JSON.stringify(FEMALE_QUERY));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ inclusionCriteria: [[]] }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** `site-agent evaluate` of the female query on the MII test data, with `more` arguments. */
  const evaluateFemale = (...more: string[]) =>
    runSiteAgentCli(['evaluate', '--data', KDS, '--query', join(dir, 'female.json'), ...more]);

  it('prints the exact count of the MII test data as one JSON object', async () => {
    const result = await evaluateFemale('--today', '2025-01-01', '--exact', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { count: number; exact: boolean; criteria: unknown[] };
    expect(report.count).toBe(15);
    expect(report.exact).toBe(true);
    expect(report.criteria).toHaveLength(1);
    expect(result.err).toMatch(/ingested [\d,]+ resources from 22 files/);
  });

  it('prints no count without --exact or the agent state dir', async () => {
    const result = await evaluateFemale();
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/give --exact .* or --state-dir/);
    expect(result.out).toBe('');
  });

  it('prints the protected count the agent would send, the same on every run, without the exact count', async () => {
    const stateDir = join(dir, 'agent-state');
    const secret = await loadOrCreateSiteSecret(stateDir);
    expect(secret.ok).toBe(true);
    const args = ['--today', '2025-01-01', '--state-dir', stateDir, '--json'];
    const first = await evaluateFemale(...args);
    const second = await evaluateFemale(...args);
    expect(first.code).toBe(0);
    expect(first.out).toBe(second.out);
    const report = JSON.parse(first.out) as { result: { kind: string; protectedCount?: number }; exact: boolean };
    expect(report.exact).toBe(false);
    expect(JSON.stringify(report)).not.toMatch(/rawCount|"count":/);
    const { result } = report;
    const wellFormed =
      result.kind === 'count'
        ? result.protectedCount !== undefined && result.protectedCount % 10 === 0
        : JSON.stringify(result) === JSON.stringify({ kind: 'below-threshold', threshold: 10 });
    expect({ result, wellFormed }).toEqual({ result, wellFormed: true });
  });

  it('refuses a state dir without the agent secret and leaves no secret behind', async () => {
    const empty = join(dir, 'no-agent-here');
    const result = await evaluateFemale('--state-dir', empty);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no site secret in/);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('lists every validation issue of a bad query with its path', async () => {
    const result = await runSiteAgentCli(['evaluate', '--data', KDS, '--query', join(dir, 'broken.json'), '--exact']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/\$\.inclusionCriteria\[0\]/);
  });

  it('names a bad --today and a missing query file', async () => {
    const badDay = await evaluateFemale('--today', '2025-02-30', '--exact');
    expect(badDay.code).toBe(1);
    expect(badDay.err).toMatch(/--today: must be a calendar date/);
    const missing = await runSiteAgentCli(['evaluate', '--data', KDS, '--query', join(dir, 'nope.json'), '--exact']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read query .*nope\.json: ENOENT/);
  });

  it('exits with 2 on an unknown option', async () => {
    const result = await runSiteAgentCli(['evaluate', '--no-such-option']);
    expect(result.code).toBe(2);
  });

  it('generates a site that evaluate reads back without errors', async () => {
    const out = join(dir, 'site');
    const generated = await runSiteAgentCli(['generate', '--patients', '40', '--seed', '3', '--out', out]);
    expect(generated.code).toBe(0);
    expect(readdirSync(out)).toContain('Patient.ndjson');
    const evaluated = await runSiteAgentCli([
      'evaluate',
      '--data',
      out,
      '--query',
      join(dir, 'female.json'),
      '--today',
      '2025-01-01',
      '--exact',
      '--json',
    ]);
    const report = JSON.parse(evaluated.out) as {
      count: number;
      index: { patients: number };
      ingestion: { errors: number };
    };
    expect(report.index.patients).toBe(40);
    expect(report.ingestion.errors).toBe(0);
    expect(report.count).toBeGreaterThan(0);
    expect(report.count).toBeLessThan(40);
  });

  it('rejects a patient count that is not a positive whole number', async () => {
    const result = await runSiteAgentCli(['generate', '--patients', '-3', '--out', join(dir, 'never')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/--patients: must be at least 1/);
  });

  it('never throws on arbitrary arguments', async () => {
    const word = fc.oneof(
      fc.constantFrom(
        'evaluate',
        'generate',
        '--data',
        '--query',
        '--exact',
        '--json',
        '--today',
        '--patients',
        '--seed',
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 8 }), async (args) => {
        // --out would write files: keep generation out of this property.
        const safe = args.filter((a) => a !== 'generate');
        const result = await runSiteAgentCli(safe);
        expect([0, 1, 2]).toContain(result.code);
      }),
      { numRuns: 150 },
    );
  });
});
