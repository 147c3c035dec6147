import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { prepareStateDir } from './state-dir';

describe('prepareStateDir', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'site-state-'));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it('creates a missing state directory 0700', async () => {
    await prepareStateDir(join(root, 'state', 'site-a'));
    expect((await stat(join(root, 'state'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'state', 'site-a'))).mode & 0o777).toBe(0o700);
  });

  it('narrows an open state directory and everything in it, and logs each change', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const state = join(root, 'state');
    await mkdir(join(state, 'approvals', 'done'), { recursive: true });
    await writeFile(join(state, 'site-secret'), 'secret', { mode: 0o644 });
    await writeFile(join(state, 'approvals', 'done', 'q.json'), '{}', { mode: 0o664 });
    for (const [path, mode] of [
      [state, 0o755],
      [join(state, 'approvals'), 0o755],
      [join(state, 'approvals', 'done'), 0o777],
      [join(state, 'site-secret'), 0o644],
      [join(state, 'approvals', 'done', 'q.json'), 0o664],
    ] as const) {
      await chmod(path, mode);
    }
    await prepareStateDir(state);
    for (const dir of [state, join(state, 'approvals'), join(state, 'approvals', 'done')]) {
      expect([dir, (await stat(dir)).mode & 0o777]).toEqual([dir, 0o700]);
    }
    for (const file of [join(state, 'site-secret'), join(state, 'approvals', 'done', 'q.json')]) {
      expect([file, (await stat(file)).mode & 0o777]).toEqual([file, 0o600]);
    }
    expect(warn).toHaveBeenCalledTimes(5);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ path: join(state, 'site-secret'), from: '0644', to: '0600' }),
    );
  });
});
