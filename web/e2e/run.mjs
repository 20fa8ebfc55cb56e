#!/usr/bin/env node
// Runs the browser tests against a real Stork server:
//   STORK_BIN=/path/to/stork npm run e2e [-- words]   (only the files whose names contain a word)
// Makes a fresh temp dir, migrates and seeds a SQLite database there, starts
// `stork serve --port 0` on the built web app (web/dist), reads the port from
// the server's "listening" log line, runs every e2e/*.test.mjs with Node's
// test runner, and stops the server (SIGTERM) at the end. The server also
// runs the payment gateway simulator (checkout pages, notifications,
// statements) on a free port of its own.

import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const webRoot = resolve(here, '..', 'dist')
const LISTEN_TIMEOUT_MS = 30_000
const STOP_TIMEOUT_MS = 10_000

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`e2e: ${message}`)
  process.exit(2)
}

const bin = process.env.STORK_BIN
if (!bin) fail('STORK_BIN is not set; point it at the stork binary, e.g. STORK_BIN=../build/release/stork npm run e2e')
const stork = resolve(bin)
if (!existsSync(stork)) fail(`STORK_BIN=${bin}: no such file`)
if (!existsSync(join(webRoot, 'index.html'))) fail(`${webRoot}/index.html is missing; run \`npm run build\` first`)

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(chromium)) fail(`${chromium} not found (install Debian's chromium or set CHROMIUM_PATH)`)

const work = mkdtempSync(join(tmpdir(), 'stork-e2e-'))
const db = `sqlite:${join(work, 'e2e.db')}`
const keyFile = join(work, 'key')

/** @param {string[]} args */
function runStep(args) {
  try {
    execFileSync(stork, args, { stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 })
  } catch (error) {
    rmSync(work, { recursive: true, force: true })
    fail(`\`stork ${args.join(' ')}\` failed: ${error instanceof Error ? error.message : error}`)
  }
}

runStep(['migrate', '--db', db])
// The same field-encryption key as the server below: seeded patients'
// identity numbers and phones are encrypted with it.
runStep(['seed-demo', '--db', db, '--key-file', keyFile])

// The payment gateway simulator runs inside the server on a port of its own:
// any free one, so parallel runs do not collide.
const server = spawn(
  stork,
  ['serve', '--db', db, '--port', '0', '--web-root', webRoot, '--key-file', keyFile, '--gateway-sim-port', '0', '--hl7-port', '0'],
  { stdio: ['ignore', 'inherit', 'pipe'] },
)
const serverLog = join(work, 'server.log')
/** @type {string[]} */
const logLines = []
let serverExited = false
server.on('exit', () => {
  serverExited = true
})

/**
 * Resolves with the address from the first {"msg":"listening", "port": N} line.
 * @returns {Promise<{ host: string, port: number }>}
 */
function waitForPort() {
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" log line within ${LISTEN_TIMEOUT_MS} ms`)),
      LISTEN_TIMEOUT_MS,
    )
    const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (server.stderr) })
    let found = false
    lines.on('line', (line) => {
      logLines.push(line)
      let entry
      try {
        entry = JSON.parse(line)
      } catch {
        console.error(`stork: ${line}`) // not a JSON log line: show it
        return
      }
      // Warnings and errors show up next to the test output.
      if (entry && (entry.level === 'warn' || entry.level === 'error')) console.error(`stork: ${line}`)
      if (found) return
      if (entry && entry.msg === 'listening' && Number.isInteger(entry.port) && entry.port > 0) {
        found = true
        clearTimeout(timer)
        const address = typeof entry.address === 'string' ? entry.address : '127.0.0.1'
        const host = ['0.0.0.0', '::', ''].includes(address) ? '127.0.0.1' : address
        resolvePort({ host: host.includes(':') ? `[${host}]` : host, port: entry.port })
      }
    })
    server.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (!found) reject(new Error(`server exited (code ${code}, signal ${signal}) before listening`))
    })
    server.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** Stops the server with SIGTERM (SIGKILL if it does not exit in time). */
async function stopServer() {
  if (serverExited) return
  const exited = new Promise((done) => server.once('exit', done))
  server.kill('SIGTERM')
  const timer = setTimeout(() => {
    console.error(`e2e: server did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM; killing it`)
    server.kill('SIGKILL')
  }, STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/** @param {number} code */
async function finish(code) {
  await stopServer()
  writeFileSync(serverLog, logLines.join('\n') + '\n')
  if (code === 0 && !process.env.STORK_E2E_KEEP) {
    rmSync(work, { recursive: true, force: true })
  } else {
    console.error(`e2e: server log and database kept in ${work}`)
  }
  process.exit(code)
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => void finish(130))
}

let baseUrl = ''
try {
  const { host, port } = await waitForPort()
  baseUrl = `http://${host}:${port}`
} catch (error) {
  console.error(`e2e: the server did not start: ${error instanceof Error ? error.message : error}`)
  console.error(logLines.slice(-20).join('\n'))
  await finish(2)
}
console.log(`e2e: stork serve listening on ${baseUrl}`)

// `npm run e2e -- clinical triage` runs only the files whose names contain one of the words.
const only = process.argv.slice(2)
const files = readdirSync(here)
  .filter((name) => name.endsWith('.test.mjs'))
  .filter((name) => only.length === 0 || only.some((word) => name.includes(word)))
  .sort()
  .map((name) => join(here, name))

const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: { ...process.env, STORK_URL: baseUrl, CHROMIUM_PATH: chromium },
})
const code = await new Promise((done) => tests.on('exit', (c, s) => done(c ?? (s ? 1 : 0))))
await finish(/** @type {number} */ (code))
