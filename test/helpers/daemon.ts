/**
 * Daemons and CLI runs as real processes, the way an operator starts them:
 * `product-dht daemon` from the source (through tsx), on 127.0.0.1 with a
 * free HTTP port and a data directory of its own. Every wait is bounded.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

export const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** tsx by its full address, so that a run from another directory finds it */
const TSX = import.meta.resolve('tsx')

/** ms a daemon may take to say it is ready, and to stop. */
const START_TIMEOUT = 60_000
const STOP_TIMEOUT = 20_000

/** What the environment of a CLI run keeps: no PRODUCT_DHT_* of the machine's, no debug output. */
function cleanEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('PRODUCT_DHT_') && name !== 'DEBUG') env[name] = value
  }
  return { ...env, ...extra }
}

export interface DaemonProcess {
  readonly child: ChildProcess
  readonly url: string
  readonly peerId: string
  readonly multiaddrs: string[]
  readonly dataDir: string
  /** everything the daemon wrote to stderr so far */
  stderr(): string
  /** SIGTERM, then waits (bounded) for the exit; resolves to the exit code, rejects when the daemon reports a leaked handle */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** A temporary directory, removed by the returned function. */
export async function tempDir (prefix: string): Promise<{ path: string, remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `product-dht-${prefix}-`))
  return { path, remove: async () => rm(path, { recursive: true, force: true }) }
}

/** Waits (bounded) for a child process to exit; resolves to its exit code. */
async function exited (child: ChildProcess, timeout: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return child.exitCode
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`process ${child.pid} did not exit within ${timeout} ms`))
    }, timeout)
    child.once('exit', code => { clearTimeout(timer); resolve(code) })
  })
}

/**
 * Starts `product-dht daemon --json` with `args` (after the test's own
 * --data-dir, --http-port 0) and resolves once it printed its ready line.
 * `wrap` runs it through another command (`ip netns exec <ns>`).
 */
export async function startDaemonProcess (args: string[] = [], options: { env?: Record<string, string>, dataDir?: string, dataDirFlag?: boolean, wrap?: string[] } = {}): Promise<DaemonProcess> {
  const dir = options.dataDir === undefined ? await tempDir('daemon') : undefined
  const dataDir = options.dataDir ?? dir!.path
  const own = options.dataDirFlag === false ? [] : ['--data-dir', dataDir]
  // wrap: a command that runs the daemon, e.g. `ip netns exec <ns>` (which execs it: the pid stays the daemon's)
  const [command, ...argv] = [...(options.wrap ?? []), process.execPath, '--import', TSX, BIN, 'daemon', '--json', ...own, '--http-port', '0', ...args]
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const ready = await new Promise<{ api: string, peerId: string, multiaddrs: string[], dataDir: string }>((resolve, reject) => {
    const timer = setTimeout(() => { fail(new Error(`the daemon was not ready within ${START_TIMEOUT} ms`)) }, START_TIMEOUT)
    const fail = (err: Error): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${err.message}\nstderr: ${stderr}`))
    }
    const early = (code: number | null): void => { fail(new Error(`the daemon exited with ${code} before it was ready`)) }
    child.once('exit', early)
    const onData = (chunk: string): void => {
      stdout += chunk
      const line = stdout.split('\n').find(l => l.includes('"event":"ready"'))
      if (line !== undefined) {
        clearTimeout(timer)
        child.off('exit', early)
        child.stdout!.off('data', onData)
        // what it prints later is not needed; keep the pipe flowing
        child.stdout!.resume()
        resolve(JSON.parse(line))
      }
    }
    child.stdout!.setEncoding('utf8').on('data', onData)
  })
  return {
    child,
    url: ready.api,
    peerId: ready.peerId,
    multiaddrs: ready.multiaddrs,
    dataDir: ready.dataDir,
    stderr: () => stderr,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      child.kill(signal)
      let code: number | null
      try {
        code = await exited(child, STOP_TIMEOUT)
      } catch (err) {
        throw new Error(`${(err as Error).message}\nstderr: ${stderr.slice(-4000)}`)
      } finally {
        await dir?.remove()
      }
      // the daemon names whatever held its event loop after a clean stop (and exits anyway): a leak
      if (/still running 2 s after a clean stop/.test(stderr)) {
        throw new Error(`the daemon leaked a handle: ${stderr.slice(-1000)}`)
      }
      return code
    }
  }
}

/** Stops every daemon given (those that started). */
export async function stopDaemons (daemons: Array<DaemonProcess | undefined>): Promise<Array<number | null>> {
  return Promise.all(daemons.filter(d => d !== undefined).map(async d => d.stop()))
}

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** A CLI run under way: its process, what it printed so far, and its end. */
export interface CliProcess {
  readonly child: ChildProcess
  output(): { stdout: string, stderr: string }
  /** waits (bounded) for the exit */
  end(): Promise<CliRun>
}

/** Starts `product-dht <args>` with `input` on its standard input. */
export function startCli (args: string[], options: { input?: string, env?: Record<string, string>, timeout?: number, cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', TSX, BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  child.stdin.end(options.input ?? '')
  return {
    child,
    output: () => ({ stdout, stderr }),
    end: async () => {
      const code = await exited(child, options.timeout ?? 120_000)
      return { code, stdout, stderr }
    }
  }
}

/** Runs `product-dht <args>` to its end (bounded), with `input` on its standard input. */
export async function runCli (args: string[], options: { input?: string, env?: Record<string, string>, timeout?: number, cwd?: string } = {}): Promise<CliRun> {
  return startCli(args, options).end()
}
