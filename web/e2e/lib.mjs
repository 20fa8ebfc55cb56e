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
  'display',
  'interface',
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
  display: ['候诊叫号屏', 'Waiting-area display'],
  interface: ['系统接口', 'System interface'],
}

/** Pages besides the home that each role's navigation offers. */
export const NAV_PAGES = {
  admin: ['board', 'schedules', 'users', 'audit'],
  clerk: ['window', 'patients', 'board'],
  triage_nurse: ['gate', 'triage', 'display', 'patients', 'board'],
  doctor: ['doctor', 'records', 'reports'],
  pharmacist: ['review'],
  mdt_coordinator: [],
  dispatcher: [],
  manager: ['board', 'billing'],
  auditor: ['audit'],
  display: ['display'],
  interface: [],
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
 * @param {{ token?: string, body?: unknown, headers?: Record<string, string> }} [options]
 */
export async function apiCall(method, path, { token, body, headers: extra = {} } = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...extra }
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

/**
 * Waits until an <img> has finished loading; resolves with its natural width
 * (0 if it failed).
 * @param {import('playwright-core').Locator} img
 */
export async function loadedWidth(img) {
  await img.waitFor()
  return img.evaluate(
    (el) =>
      new Promise((resolve) => {
        const image = /** @type {HTMLImageElement} */ (el)
        if (image.complete) resolve(image.naturalWidth)
        image.addEventListener('load', () => resolve(image.naturalWidth), { once: true })
        image.addEventListener('error', () => resolve(0), { once: true })
      }),
  )
}

/** @param {number} n */
function randomDigits(n) {
  let out = ''
  for (let i = 0; i < n; i += 1) out += Math.floor(Math.random() * 10)
  return out
}

/** A mainland mobile number nobody in the demo data has (139 + 8 random digits). */
export function randomPhone() {
  return `139${randomDigits(8)}`
}

const SURNAMES = '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施'
const GIVEN = '静雅婷丽芳慧敏玲娟秀琳颖蕾欣怡萱晨曦月瑶'

/** @param {string} chars */
function pick(chars) {
  return chars[Math.floor(Math.random() * chars.length)]
}

/** A random two- or three-character Chinese name. */
export function randomName() {
  return pick(SURNAMES) + pick(GIVEN) + pick(GIVEN)
}

/** A random adult date of birth, YYYY-MM-DD (1985–1998, day 01–28). */
export function randomBirthDate() {
  const year = 1985 + Math.floor(Math.random() * 14)
  const month = String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')
  const day = String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')
  return `${year}-${month}-${day}`
}

/**
 * A valid PRC resident identity number (GB 11643-1999): region 110101, the
 * date of birth, a 3-digit sequence whose last digit is even for a woman, and
 * the check character.
 * @param {string} birthDate YYYY-MM-DD
 * @param {'female' | 'male'} sex
 */
export function residentId(birthDate, sex) {
  const parity = sex === 'female' ? 0 : 1
  const last = 2 * Math.floor(Math.random() * 5) + parity
  const first17 = `110101${birthDate.replaceAll('-', '')}${randomDigits(2)}${last}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = weights.reduce((acc, w, i) => acc + w * Number(first17[i]), 0)
  return first17 + '10X98765432'[sum % 11]
}

/**
 * The same number with a wrong check character.
 * @param {string} id
 */
export function withWrongCheck(id) {
  const right = id[17]
  const wrong = right === '0' ? '1' : '0'
  return id.slice(0, 17) + wrong
}

/**
 * Signs a demo staff account in through the API; resolves with its token.
 * @param {string} username
 */
export async function staffToken(username) {
  const { status, json } = await apiCall('POST', '/api/v1/auth/login', {
    body: { username, password: DEMO_PASSWORD },
  })
  assert.equal(status, 200, `API sign-in as ${username} answered ${status}`)
  return /** @type {string} */ (json.token)
}

/**
 * The newest sign-in code the SMS simulator "delivered" to this phone.
 * @param {string} phone
 */
export async function latestSmsCode(phone) {
  const { status, json } = await apiCall('GET', `/api/v1/sms-simulator/outbox?phone=${encodeURIComponent(phone)}`)
  assert.equal(status, 200)
  const text = json.items?.[0]?.text ?? ''
  const code = /\b(\d{6})\b/.exec(text)?.[1]
  assert.ok(code, `no code in the newest message to ${phone}: "${text}"`)
  return code
}

/** A phone-sized browser context (the patient portal). */
export const PHONE = /** @type {const} */ ({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
})

/**
 * Registers an adult woman at the window through the API; resolves with the
 * record (its phone masked, as the server sends it).
 * @param {string} token a clerk's token
 * @param {{ phone?: string }} [options]
 */
export async function registerPatient(token, { phone = randomPhone() } = {}) {
  const birthDate = randomBirthDate()
  const { status, json } = await apiCall('POST', '/api/v1/patients', {
    token,
    body: {
      name: randomName(),
      sex: 'female',
      birth_date: birthDate,
      id_type: 'resident_id',
      id_number: residentId(birthDate, 'female'),
      phone,
    },
  })
  assert.equal(status, 201, JSON.stringify(json))
  return json
}

/**
 * Signs a patient in on the portal's sign-in page with the code the SMS
 * simulator box shows, and waits for her family page.
 * @param {import('playwright-core').Page} page
 * @param {string} phone
 */
export async function portalSignIn(page, phone) {
  await page.goto('/portal/login')
  await page.getByTestId('input-phone').fill(phone)
  await page.getByTestId('send-code').click()
  const latest = page.getByTestId('sms-inbox').getByTestId('sms-latest')
  await latest.waitFor()
  const code = /\b(\d{6})\b/.exec((await latest.textContent()) ?? '')?.[1]
  assert.ok(code, 'the simulator box shows a 6-digit code')
  await page.getByTestId('input-code').fill(code)
  await page.getByTestId('portal-login-submit').click()
  await page.getByTestId('portal-title').waitFor()
}

/** Today in the hospital's time zone, YYYY-MM-DD. */
export function hospitalToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
}

/**
 * YYYY-MM-DD plus some days.
 * @param {string} day
 * @param {number} days
 */
export function addDays(day, days) {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/**
 * Slots the server says this channel may book right now (released, tickets
 * left, starting at least `leadMinutes` from now), soonest first. The
 * server's clock is real time, so tests pick from these.
 * @param {string} channel
 * @param {{ leadMinutes?: number, query?: Record<string, string> }} [options]
 */
export async function bookableSlots(channel, { leadMinutes = 30, query = {} } = {}) {
  const params = new URLSearchParams({ channel, available: 'true', ...query })
  const { status, json } = await apiCall('GET', `/api/v1/slots?${params}`)
  assert.equal(status, 200, JSON.stringify(json))
  const earliest = Date.now() + leadMinutes * 60_000
  /** @type {any[]} */
  const items = json.items
  return items
    .filter((s) => s.released && s.remaining > 0 && Date.parse(s.start) >= earliest)
    .sort((a, b) => a.start.localeCompare(b.start))
}

/** An Idempotency-Key as the app makes them (a version-4 UUID). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * Fen as the app shows money: 2000 → "¥20.00".
 * @param {number} fen
 */
export function formatFen(fen) {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/**
 * An ISO time as hour and minute in hospital time ("08:30").
 * @param {string} iso
 */
export function hospitalClock(iso) {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso))
}

/**
 * Asks `check` again (every 100 ms, at most `timeoutMs`) until it answers
 * something truthy, for server-side work that finishes in the background
 * (a gateway notification, an automatic refund). Resolves with the answer.
 * @template T
 * @param {() => Promise<T>} check
 * @param {{ timeoutMs?: number, what?: string }} [options]
 * @returns {Promise<NonNullable<T>>}
 */
export async function eventually(check, { timeoutMs = 10_000, what = 'the condition' } = {}) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const answer = await check()
    if (answer) return /** @type {NonNullable<T>} */ (answer)
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms`)
    await new Promise((done) => setTimeout(done, 100))
  }
}

/**
 * The signed-in patient's portal token, as the page keeps it.
 * @param {import('playwright-core').Page} page
 */
export async function portalToken(page) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('stork.portal') ?? '{}').token)
  assert.ok(typeof token === 'string' && token, 'the portal keeps a token')
  return /** @type {string} */ (token)
}

/**
 * Creates a bill at the window through the API.
 * @param {string} token a clerk's token
 * @param {number} patientId
 * @param {string[]} feeCodes one item (quantity 1) per code
 */
export async function createOrder(token, patientId, feeCodes) {
  const { status, json } = await apiCall('POST', '/api/v1/orders', {
    token,
    body: { patient_id: patientId, items: feeCodes.map((fee_code) => ({ fee_code, quantity: 1 })) },
  })
  assert.equal(status, 201, JSON.stringify(json))
  return json
}

/**
 * Pays an open checkout through the gateway simulator's control API, as if
 * the patient had pressed "pay" on her phone.
 * @param {string} payUrl the checkout's pay_url (names the simulator)
 * @param {string} orderNo the bill's order_no (the gateway's out_trade_no)
 */
export async function simulatorPay(payUrl, orderNo) {
  const paid = await fetch(`${new URL(payUrl).origin}/sim/v1/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ out_trade_no: orderNo }),
  })
  assert.equal(paid.status, 200, await paid.text())
}

/**
 * Opens the gateway's checkout for a bill; resolves with {prepay_id, pay_url}.
 * @param {string} token a clerk's (or the patient's) token
 * @param {number} orderId
 */
export async function openCheckout(token, orderId) {
  const checkout = await apiCall('POST', `/api/v1/orders/${orderId}/checkout`, { token })
  assert.equal(checkout.status, 200, JSON.stringify(checkout.json))
  return /** @type {{ prepay_id: string, pay_url: string }} */ (checkout.json)
}

/**
 * Opens the checkout of a bill and pays it on the simulator.
 * @param {string} token a clerk's (or the patient's) token
 * @param {{ id: number, order_no: string }} order
 */
export async function payOnGateway(token, order) {
  const checkout = await openCheckout(token, order.id)
  await simulatorPay(checkout.pay_url, order.order_no)
  return checkout
}
