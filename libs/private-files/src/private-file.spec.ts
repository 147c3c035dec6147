import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeNarrowedMode,
  ensurePrivateDir,
  ensurePrivateFile,
  formatMode,
  narrowPrivateTree,
  narrowToPrivate,
  preparePrivateFile,
} from './private-file';

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('private files', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fq-private-file-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a missing directory and its parents 0700, and narrows an existing one only when asked', async () => {
    const dir = join(root, 'a', 'b');
    await expect(ensurePrivateDir(dir)).resolves.toBeNull();
    expect(await modeOf(join(root, 'a'))).toBe(0o700);
    expect(await modeOf(dir)).toBe(0o700);
    await chmod(dir, 0o755);
    await expect(ensurePrivateDir(dir)).resolves.toBeNull();
    expect(await modeOf(dir)).toBe(0o755);
    await expect(ensurePrivateDir(dir, { narrowExisting: true })).resolves.toEqual({
      path: dir,
      from: 0o755,
      to: 0o700,
    });
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('creates a missing file 0600 whatever the umask, and narrows an existing one', async () => {
    const file = join(root, 'state.db');
    const umask = process.umask(0);
    try {
      await expect(ensurePrivateFile(file)).resolves.toBeNull();
    } finally {
      process.umask(umask);
    }
    expect(await modeOf(file)).toBe(0o600);
    await chmod(file, 0o664);
    await expect(ensurePrivateFile(file)).resolves.toEqual({ path: file, from: 0o664, to: 0o600 });
    expect(await modeOf(file)).toBe(0o600);
  });

  it('prepares a file for opening: its missing directory 0700, an existing file narrowed, none created', async () => {
    const file = join(root, 'logs', 'audit.jsonl');
    await expect(preparePrivateFile(file)).resolves.toBeNull();
    expect(await modeOf(join(root, 'logs'))).toBe(0o700);
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await writeFile(file, '');
    await chmod(file, 0o640);
    const change = await preparePrivateFile(file);
    expect(change).toEqual({ path: file, from: 0o640, to: 0o600 });
    expect(await modeOf(file)).toBe(0o600);
    expect(describeNarrowedMode(change!)).toEqual({
      message: 'narrowed the mode of a state file that others could read',
      path: file,
      from: '0640',
      to: '0600',
    });
  });

  it('leaves a private, missing or linked path alone', async () => {
    const file = join(root, 'secret');
    await writeFile(file, 'x', { mode: 0o400 });
    await expect(narrowToPrivate(file)).resolves.toBeNull();
    expect(await modeOf(file)).toBe(0o400);
    await expect(narrowToPrivate(join(root, 'missing'))).resolves.toBeNull();
    const outside = join(root, 'outside');
    await writeFile(outside, 'x', { mode: 0o644 });
    await chmod(outside, 0o644);
    await symlink(outside, join(root, 'link'));
    await expect(narrowToPrivate(join(root, 'link'))).resolves.toBeNull();
    expect(await modeOf(outside)).toBe(0o644);
  });

  it('narrows a whole tree: files to 0600, directories to 0700', async () => {
    await mkdir(join(root, 'approvals', 'done'), { recursive: true, mode: 0o755 });
    await chmod(root, 0o755);
    await chmod(join(root, 'approvals'), 0o775);
    await chmod(join(root, 'approvals', 'done'), 0o755);
    await writeFile(join(root, 'audit.jsonl'), '', { mode: 0o640 });
    await writeFile(join(root, 'approvals', 'done', 'q.json'), '{}', { mode: 0o644 });
    await writeFile(join(root, 'ok'), '', { mode: 0o600 });
    const narrowed = await narrowPrivateTree(root);
    expect(narrowed.map((n) => [n.path.slice(root.length), formatMode(n.from), formatMode(n.to)]).sort()).toEqual([
      ['', '0755', '0700'],
      ['/approvals', '0775', '0700'],
      ['/approvals/done', '0755', '0700'],
      ['/approvals/done/q.json', '0644', '0600'],
      ['/audit.jsonl', '0640', '0600'],
    ]);
    await expect(narrowPrivateTree(root)).resolves.toEqual([]);
  });
});
