/**
 * AWS's own DynamoDB Local (Java, the jar shipped in the npm package amplify-dynamodb-simulator)
 * as a second, stricter DynamoDB backend for the embedded stack. dynalite stays the default;
 * `NIMITYS_DYNAMODB=dynamodb-local` (or the stack option `dynamodb`) selects this one, so the
 * integration suite can run a second time against the reference emulator.
 *
 * DynamoDB Local has no host option and listens on every interface. DynamoDBLocalLoopback.java
 * (beside this file) builds its server the same way and binds it to 127.0.0.1 only; it is
 * compiled once into node_modules/.cache and exits when the Node process that started it goes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { canListen } from './free-port.ts';

export type DynamoBackend = 'dynalite' | 'dynamodb-local';
export const DYNAMODB_BACKEND_ENV = 'NIMITYS_DYNAMODB';

const EMULATOR_DIR = path.join(PROJECT_ROOT, 'node_modules', 'amplify-dynamodb-simulator', 'emulator');
const JAR = path.join(EMULATOR_DIR, 'DynamoDBLocal.jar');
const LAUNCHER_SOURCE = path.join(PROJECT_ROOT, 'local', 'DynamoDBLocalLoopback.java');
const LAUNCHER_CLASS = 'DynamoDBLocalLoopback';
const START_TIMEOUT_MS = 60_000;

/** The backend named by NIMITYS_DYNAMODB; unset means dynalite. */
export function dynamoBackendFromEnv(env: NodeJS.ProcessEnv = process.env): DynamoBackend {
  const value = env[DYNAMODB_BACKEND_ENV]?.trim();
  if (!value || value === 'dynalite') return 'dynalite';
  if (value === 'dynamodb-local') return 'dynamodb-local';
  throw new Error(`${DYNAMODB_BACKEND_ENV} must be "dynalite" or "dynamodb-local", not "${value}"`);
}

/** Why DynamoDB Local cannot run here (no Java, no javac, no jar), or undefined when it can. */
export function dynamoDBLocalUnavailable(): string | undefined {
  for (const tool of ['java', 'javac']) {
    const probe = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) return `${tool} not found (DynamoDB Local needs a Java 17 JDK)`;
  }
  if (!existsSync(JAR)) return `${path.relative(PROJECT_ROOT, JAR)} missing (npm ci installs it)`;
  return undefined;
}

/** The launcher compiled once per source version; concurrent first starts race harmlessly. */
function compiledLauncher(): string {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const cacheRoot = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'nimitys-dynamodb-local');
  const classDir = path.join(cacheRoot, hash);
  if (existsSync(path.join(classDir, `${LAUNCHER_CLASS}.class`))) return classDir;
  mkdirSync(cacheRoot, { recursive: true });
  const scratch = mkdtempSync(path.join(cacheRoot, 'build-'));
  try {
    const javac = spawnSync('javac', ['-nowarn', '-cp', JAR, '-d', scratch, LAUNCHER_SOURCE], {
      encoding: 'utf8',
    });
    if (javac.error || javac.status !== 0) {
      throw new Error(`Compiling ${LAUNCHER_CLASS}.java failed: ${javac.stderr || javac.error?.message}`);
    }
    try {
      renameSync(scratch, classDir);
    } catch (error) {
      // Another process compiled the same source first: use its copy.
      if (!existsSync(path.join(classDir, `${LAUNCHER_CLASS}.class`))) throw error;
    }
    return classDir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface DynamoDBLocal {
  endpoint: string;
  port: number;
  pid: number;
  /** Milliseconds from spawn until it accepted connections. */
  startMs: number;
  stop(): Promise<void>;
}

export interface DynamoDBLocalOptions {
  /** A port on 127.0.0.1; 0 = any free one, taken as the server binds (no race for it). */
  port: number;
  /** Folder for the database file; omitted = in memory. */
  dataDir?: string;
}

/**
 * Waits until nothing listens on the port: after a kill -9 of the stack that started it, the
 * previous DynamoDB Local needs a moment to notice and exit before a restart can bind.
 */
async function portFree(port: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await canListen(port)) return;
    if (Date.now() > deadline) throw new Error(`Port ${port} stays in use: DynamoDB Local cannot start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startDynamoDBLocal(options: DynamoDBLocalOptions): Promise<DynamoDBLocal> {
  const unavailable = dynamoDBLocalUnavailable();
  if (unavailable) throw new Error(`DynamoDB Local cannot start: ${unavailable}`);
  const classDir = compiledLauncher();
  if (options.port !== 0) await portFree(options.port, 15_000);
  const started = performance.now();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${path.join(EMULATOR_DIR, 'DynamoDBLocal_lib')}`,
      // A small test database: a modest heap, one GC thread, a quick start on two cores.
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${JAR}${path.delimiter}${classDir}`,
      LAUNCHER_CLASS,
      '-port',
      String(options.port),
      ...(options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory']),
      '-sharedDb',
      '-disableTelemetry',
    ],
    {
      // DynamoDB Local sends telemetry unless this is "0".
      env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`DynamoDB Local did not start in ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      const listening = /^LISTENING 127\.0\.0\.1:(\d+)$/m.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`DynamoDB Local exited (${code ?? signal}) before it listened:\n${output}`));
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const gone = exited(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.kill('SIGTERM');
    await gone;
    clearTimeout(timer);
  };

  let port: number;
  try {
    port = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  // Keep reading so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    startMs: Math.round(performance.now() - started),
    stop,
  };
}
