// Shared helpers for the browser tests. Run them through `npm run e2e`
// (e2e/run.mjs), which starts a real `stork serve` and sets STORK_URL.

import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE_URL = process.env.STORK_URL ?? ''
if (!BASE_URL) {
  throw new Error('STORK_URL is not set: run the browser tests with `STORK_BIN=... npm run e2e`')
}

/** Demo accounts: username = role name. */
export const DEMO_PASSWORD = 'demo1234!'

export const ROLES = /** @type {const} */ ([
  'admin',
  'clerk',
  'triage_nurse',
  'doctor',
  'pharmacist',
  'mdt_coordinator',
  'dispatcher',
  'manager',
  'auditor',
])

/** Each role's home title, in Chinese and English (see src/i18n). */
export const HOME_TITLES = {
  admin: ['系统管理', 'Administration'],
  clerk: ['一站式服务窗口', 'One-stop service window'],
  triage_nurse: ['预检分诊', 'Pre-examination and triage'],
  doctor: ['诊室工作台', 'Consultation room'],
  pharmacist: ['药学审方', 'Pharmacist review'],
  mdt_coordinator: ['MDT 协调', 'MDT coordination'],
  dispatcher: ['5G 急救调度', '5G emergency dispatch'],
  manager: ['运营统计', 'Operations statistics'],
  auditor: ['审计日志', 'Audit log'],
}

/** Pages besides the home that each role's navigation offers. */
export const NAV_PAGES = {
  admin: ['users', 'audit'],
  clerk: [],
  triage_nurse: [],
  doctor: [],
  pharmacist: [],
  mdt_coordinator: [],
  dispatcher: [],
  manager: [],
  auditor: ['audit'],
}

export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'screenshots')

/**
 * Debian's Chromium, headless. Playwright gives every launch a fresh
 * temporary profile (user-data dir) and deletes it on close; each test also
 * gets its own browser context, so no storage leaks between tests.
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * A fresh context and page on the app. Uncaught page errors are collected in
 * `errors` so a test can assert there were none.
 * @param {import('playwright-core').Browser} browser
 * @param {import('playwright-core').BrowserContextOptions} [options]
 */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 }, ...options })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  /** @type {string[]} */
  const errors = []
  page.on('pageerror', (error) => errors.push(String(error)))
  return { context, page, errors }
}

/**
 * Signs in through the form and waits for the sign-in answer.
 * @param {import('playwright-core').Page} page
 * @param {string} username
 * @param {string} [password]
 */
export async function signIn(page, username, password = DEMO_PASSWORD) {
  if (!page.url().includes('/login')) await page.goto('/login')
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST'),
    page.getByTestId('login-submit').click(),
  ])
  return response
}

/**
 * Signs in and waits for the role's home heading.
 * @param {import('playwright-core').Page} page
 * @param {string} role
 */
export async function signInAs(page, role) {
  const response = await signIn(page, role)
  assert.equal(response.status(), 200, `sign-in as ${role} answered ${response.status()}: ${await response.text()}`)
  await page.locator(`[data-testid="role-home"][data-role="${role}"]`).waitFor()
}

/**
 * Root font size in CSS pixels.
 * @param {import('playwright-core').Page} page
 */
export function rootFontSize(page) {
  return page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))
}

/**
 * True when the page is wider than the viewport (horizontal scrolling).
 * @param {import('playwright-core').Page} page
 */
export function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)
}

/**
 * Saves a screenshot under e2e/screenshots/.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), scale: 'css' })
}

/**
 * Calls the API directly (for test setup), with an optional bearer token.
 * @param {string} method
 * @param {string} path
 * @param {{ token?: string, body?: unknown }} [options]
 */
export async function apiCall(method, path, { token, body } = {}) {
  /** @type {Record<string, string>} */
  const headers = {}
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(new URL(path, BASE_URL), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined }
}
