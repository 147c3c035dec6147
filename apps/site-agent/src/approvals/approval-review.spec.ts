import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addApprovalsCommand } from '../cli/approvals.command';
import { CommandInputError } from '../cli/evaluate.command';
import { captureIo } from '../cli/__fixtures__/cli-run';
import { queryEnvelope } from '../queries/__fixtures__/site-world';
import { formatPendingApprovals } from './approval-review';
import { ApprovalStore } from './approval.store';

const NOW = new Date('2025-03-01T10:00:00.000Z');

/** Runs `site-agent approvals …` through commander as the site CLI does. */
async function runApprovalsCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, text } = captureIo();
  const { out, err } = io;
  let task: Promise<number> = Promise.resolve(0);
  const program = new Command('site-agent').exitOverride().configureOutput({
    writeOut: (s) => out.write(s),
    writeErr: (s) => err.write(s),
  });
  addApprovalsCommand(program, { out, err }, (t) => {
    task = t;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: await task, out: text.out, err: text.err };
  } catch (error) {
    if (error instanceof CommandInputError) {
      return { code: 1, out: text.out, err: error.problems.join('\n') };
    }
    return { code: 2, out: text.out, err: text.err };
  }
}

describe('formatPendingApprovals', () => {
  it('shows each held query with requester, deadline, criteria and decision', () => {
    const envelope = queryEnvelope();
    const lines = formatPendingApprovals(
      {
        entries: [
          {
            pending: { queryId: envelope.payload.queryId, receivedAt: NOW.toISOString(), envelope },
            decision: null,
          },
        ],
        problems: [],
      },
      NOW,
    );
    expect(lines[0]).toBe('1 query is waiting for approval');
    expect(lines[2]).toContain(`${envelope.payload.queryId}  requester researcher-7f3a`);
    expect(lines[2]).toContain('(in 60 min)');
    expect(lines[4]).toBe('  include: Patient: SNOMED CT 263495000; value is gender female');
  });

  it('shows value filters, time restrictions and exclusions of a held query', () => {
    const envelope = queryEnvelope({
      inclusionCriteria: [
        [
          {
            context: { system: 'fdpg.mii.cds', code: 'Laboruntersuchung', display: 'Laboruntersuchung' },
            termCodes: [{ system: 'http://loinc.org', code: '2093-3', display: 'Cholesterol' }],
            valueFilter: { type: 'quantity-range', minValue: 100, maxValue: 160, unit: { code: 'mg/dL' } },
            timeRestriction: { afterDate: '2020-01-01' },
          },
        ],
      ],
      exclusionCriteria: [
        [
          {
            context: { system: 'fdpg.mii.cds', code: 'Diagnose' },
            termCodes: [{ system: 'http://fhir.de/CodeSystem/bfarm/icd-10-gm', code: 'C50' }],
          },
        ],
      ],
    });
    const lines = formatPendingApprovals(
      {
        entries: [
          { pending: { queryId: envelope.payload.queryId, receivedAt: NOW.toISOString(), envelope }, decision: null },
        ],
        problems: [],
      },
      NOW,
    );
    expect(lines.slice(4, 6)).toEqual([
      '  include: Laboruntersuchung: LOINC 2093-3 "Cholesterol"; value 100–160 mg/dL; from 2020-01-01',
      '  exclude: Diagnose: ICD-10-GM C50',
    ]);
  });
});

describe('site-agent approvals', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'approvals-cli-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists nothing in a fresh state directory', async () => {
    const result = await runApprovalsCli(['approvals', 'list', '--state-dir', dir]);
    expect(result).toMatchObject({ code: 0, out: 'no queries are waiting for approval\n' });
  });

  it('approves a held query and shows the decision in the list', async () => {
    const envelope = queryEnvelope();
    await new ApprovalStore(dir).hold(envelope, NOW);

    const approved = await runApprovalsCli([
      'approvals',
      'approve',
      envelope.payload.queryId,
      '--state-dir',
      dir,
      '--by',
      'alice',
    ]);
    expect(approved.code).toBe(0);
    expect(approved.out).toMatch(/^approved query /);

    const listed = await runApprovalsCli(['approvals', 'list', '--state-dir', dir, '--json']);
    const json = JSON.parse(listed.out) as { pending: Array<{ queryId: string; decision: { decidedBy: string } }> };
    expect(json.pending).toHaveLength(1);
    expect(json.pending[0]).toMatchObject({ queryId: envelope.payload.queryId, decision: { decidedBy: 'alice' } });
  });

  it('fails with exit code 1 and the reason when rejecting an unknown query', async () => {
    const result = await runApprovalsCli([
      'approvals',
      'reject',
      '0f4b7e2a-9c3d-4e8f-a1b2-c3d4e5f60718',
      '--state-dir',
      dir,
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/SITE_APPROVAL_NOT_FOUND/);
  });

  it('requires --state-dir', async () => {
    const result = await runApprovalsCli(['approvals', 'list']);
    expect(result.code).toBe(2);
  });
});
