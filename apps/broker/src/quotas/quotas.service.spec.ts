import { ManualClock } from '../__fixtures__/test-broker';
import type { QuotasRepository } from './quotas.repository';
import { QuotasService } from './quotas.service';

describe('QuotasService result polling', () => {
  const quotas = { soft: { amount: 0, intervalSeconds: 60 }, hard: { amount: 0, intervalSeconds: 60 } };

  function serviceWith(pollIntervalSeconds: number) {
    const clock = new ManualClock();
    const reads: Array<[string, string, string, string]> = [];
    const sweeps: string[] = [];
    const repository = {
      recordResultRead: (user: string, query: string, at: string, since: string) => {
        reads.push([user, query, at, since]);
        return Promise.resolve(null);
      },
      deleteResultReadsBefore: (before: string) => {
        sweeps.push(before);
        return Promise.resolve(0);
      },
    } as unknown as QuotasRepository;
    const service = new QuotasService(repository, { quotas: { ...quotas, pollIntervalSeconds } }, clock);
    return { service, clock, reads, sweeps };
  }

  it('records one read per call with the window start, and sweeps old reads once per thousand', async () => {
    const { service, clock, reads, sweeps } = serviceWith(10);
    for (let i = 0; i < 1_000; i++) {
      await service.checkResultPoll({ id: 'alice', role: 'researcher' }, `q${i}`);
    }
    expect(reads).toHaveLength(1_000);
    expect(reads[0]).toEqual(['alice', 'q0', '2026-03-02T09:00:00.000Z', '2026-03-02T08:59:50.000Z']);
    expect(sweeps).toEqual(['2026-03-02T08:59:50.000Z']);
    clock.advance(1_000);
    for (let i = 0; i < 999; i++) {
      await service.checkResultPoll({ id: 'bob', role: 'power-user' }, `q${i}`);
    }
    expect(sweeps).toHaveLength(1);
    await service.checkResultPoll({ id: 'bob', role: 'power-user' }, 'last');
    expect(sweeps).toEqual(['2026-03-02T08:59:50.000Z', '2026-03-02T08:59:51.000Z']);
  });

  it('touches the database neither for admins nor when the limit is off', async () => {
    const on = serviceWith(10);
    await on.service.checkResultPoll({ id: 'root', role: 'admin' }, 'q');
    expect(on.reads).toEqual([]);
    const off = serviceWith(0);
    await off.service.checkResultPoll({ id: 'alice', role: 'researcher' }, 'q');
    expect(off.reads).toEqual([]);
  });
});
