import { describeExit, ManagedProcess } from './managed.process';

/** A node child running `script`, with the kit's defaults otherwise. */
function startNode(
  script: string,
  options: { keptLines?: number; killGraceMs?: number; onLine?: (line: string) => void } = {},
) {
  return ManagedProcess.start({
    name: 'child',
    command: process.execPath,
    args: ['-e', script],
    env: {},
    cwd: __dirname,
    ...options,
  });
}

describe('ManagedProcess', () => {
  it('finds a line printed before the wait and one printed after it', async () => {
    const child = startNode("console.log('first'); setTimeout(() => console.error('second 42'), 200);");
    await expect(child.waitForLine(/^first$/, 5_000)).resolves.toEqual(expect.arrayContaining(['first']));
    const match = await child.waitForLine(/^second (\d+)$/, 5_000);
    expect(match[1]).toBe('42');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toBe('first\nsecond 42');
  });

  it('ignores lines before fromLine', async () => {
    const child = startNode("console.log('ready'); setTimeout(() => console.log('ready again'), 200);");
    await child.waitForLine(/^ready$/, 5_000);
    const later = await child.waitForLine(/^ready/, 5_000, child.lineCount);
    expect(later.input).toBe('ready again');
    await child.exited;
  });

  it('rejects with the last lines when the process exits before printing the line', async () => {
    const child = startNode("console.log('about to fail'); process.exit(3);");
    await expect(child.waitForLine(/^READY/, 5_000)).rejects.toThrow(/child exited \(code 3\)[\s\S]*about to fail/);
    expect(child.running).toBe(false);
  });

  it('rejects when the deadline passes', async () => {
    const child = startNode('setTimeout(() => undefined, 10_000);');
    await expect(child.waitForLine(/never/, 100)).rejects.toThrow(/no line matching \/never\/ within 100 ms/);
    await child.stop('SIGKILL');
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const child = startNode(
      "process.on('SIGTERM', () => undefined); console.log('up'); setInterval(() => undefined, 1000);",
      {
        killGraceMs: 200,
      },
    );
    await child.waitForLine(/^up$/, 5_000);
    const exit = await child.stop('SIGTERM');
    expect(describeExit(exit)).toBe('signal SIGKILL');
  });

  it('hands every line to onLine and keeps only the last keptLines', async () => {
    const seen: string[] = [];
    const child = startNode('for (let i = 1; i <= 5; i++) console.log(`line ${i}`);', {
      keptLines: 2,
      onLine: (line) => seen.push(line),
    });
    await child.exited;
    expect(seen).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(child.output()).toBe('line 4\nline 5');
    expect(child.lineCount).toBe(5);
  });

  it('reports a command that cannot be spawned as an exit with a line saying why', async () => {
    const child = ManagedProcess.start({
      name: 'missing',
      command: '/nonexistent/program',
      args: [],
      env: {},
      cwd: __dirname,
    });
    expect(await child.exited).toEqual({ code: null, signal: null });
    expect(child.output()).toMatch(/cannot start \/nonexistent\/program/);
  });
});
