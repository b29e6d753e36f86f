/**
 * 50 nodes start and stop in one process with no crash: many-nodes.ts runs
 * in a child process under --unhandled-rejections=strict, so any rejection
 * that escapes a timer, a stream or a background task (ours or kad-dht's)
 * kills it with a non-zero exit.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

describe('50 nodes in one process', () => {
  it('start, put, get and stop without an unhandled rejection', { timeout: 600_000 }, async (t) => {
    const script = fileURLToPath(new URL('./many-nodes.ts', import.meta.url))
    const child = spawn(process.execPath, ['--unhandled-rejections=strict', '--import', 'tsx', script], {
      env: { ...process.env, NODES: '50' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => { stdout += String(chunk) })
    child.stderr.on('data', chunk => { stderr += String(chunk) })
    const code = await new Promise<number | null>(resolve => child.on('close', resolve))
    assert.equal(code, 0, `exited with ${code}:\n${stderr.slice(-4000)}`)
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')
    t.diagnostic(JSON.stringify(summary))
    assert.equal(summary.nodes, 50)
    assert.equal(summary.found, 10)
  })
})
