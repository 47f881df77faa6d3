import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const FIXTURE = join(ROOT, 'test/browser/.fixture.json');

function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', ko);
  });
}

/** Boots the platform (test/browser/serve.ts) on a free loopback port and waits for its fixture. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'dist/console/index.html'))) throw new Error('build the console first: npm run build:console');
  rmSync(FIXTURE, { force: true });
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'test/browser/serve.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), CADRE_BROWSER_FIXTURE: FIXTURE, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 240_000;
  while (!existsSync(FIXTURE)) {
    if (exited !== null) throw new Error(`the browser platform exited (${exited}) before it was ready`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('the browser platform was not ready in 240 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  JSON.parse(readFileSync(FIXTURE, 'utf8'));
  return async () => {
    if (exited === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 20_000))]);
    }
    rmSync(FIXTURE, { force: true });
  };
}
