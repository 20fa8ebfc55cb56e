// Auditor: the audit log and its hash-chain verification.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEMO_PASSWORD, apiCall, launchBrowser, openPage, signInAs } from './lib.mjs'

const PAGE_SIZE = 50

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
  // Make sure there is more than one page of entries so "load more" has work:
  // each sign-in is audited.
  const login = await apiCall('POST', '/api/v1/auth/login', { body: { username: 'auditor', password: DEMO_PASSWORD } })
  assert.equal(login.status, 200, `auditor sign-in answered ${login.status}`)
  const token = login.json.token
  const first = await apiCall('GET', `/api/v1/audit?limit=${PAGE_SIZE + 1}`, { token })
  assert.equal(first.status, 200)
  // A sign-in and a sign-out are two entries for one (deliberately slow) password check.
  for (let count = first.json.items.length; count <= PAGE_SIZE; count += 2) {
    const extra = await apiCall('POST', '/api/v1/auth/login', { body: { username: 'manager', password: DEMO_PASSWORD } })
    assert.equal(extra.status, 200, `filler sign-in answered ${extra.status}`)
    const out = await apiCall('POST', '/api/v1/auth/logout', { token: extra.json.token })
    assert.equal(out.status, 204, `filler sign-out answered ${out.status}`)
  }
  await apiCall('POST', '/api/v1/auth/logout', { token })
})
after(async () => {
  await browser?.close()
})

/** @param {import('playwright-core').Locator} rows */
function rowIds(rows) {
  return rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-id'))))
}

describe('audit log', () => {
  test('auditor reads sign-in entries newest first, loads more, and the chain verifies', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'auditor')
      const [firstPage] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/audit?')),
        page.getByTestId('nav').locator('[data-nav="audit"]').click(),
      ])
      assert.equal(firstPage.status(), 200)
      assert.match(firstPage.url(), /limit=50/)

      const rows = page.getByTestId('audit-row')
      await rows.first().waitFor()
      assert.equal(await rows.count(), PAGE_SIZE)
      const ids = await rowIds(rows)
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
        'newest first',
      )

      // The sign-ins (this auditor's included) are there.
      const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action') ?? ''))
      assert.ok(
        actions.some((a) => /login/i.test(a)),
        `a sign-in entry among ${[...new Set(actions)].join(', ')}`,
      )
      const auditorLogin = rows.filter({ hasText: 'auditor' }).filter({ hasText: /login/i })
      assert.ok((await auditorLogin.count()) > 0, 'the auditor’s own sign-in is listed')

      // Load more: older entries follow, none repeated.
      const last = ids[ids.length - 1]
      const [more] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/audit?')),
        page.getByTestId('audit-load-more').click(),
      ])
      assert.match(more.url(), new RegExp(`before_id=${last}(&|$)`))
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-row"]').length > n, PAGE_SIZE)
      const all = await rowIds(rows)
      assert.equal(new Set(all).size, all.length, 'no entry shown twice')
      assert.ok(all.slice(PAGE_SIZE).every((id) => id < last), 'older entries after the first page')

      // Verify the chain: green, with the count.
      const [verify] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/audit/verify')),
        page.getByTestId('verify-chain').click(),
      ])
      const verdict = await verify.json()
      assert.equal(verify.status(), 200)
      assert.equal(verdict.ok, true, `chain verification: ${JSON.stringify(verdict)}`)
      const result = page.getByTestId('verify-result')
      await result.waitFor()
      assert.equal(await result.getAttribute('data-ok'), 'true')
      assert.match((await result.textContent()) ?? '', new RegExp(`${verdict.checked}`))
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('staff without the auditor or admin role get no audit page', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'clerk')
      assert.equal(await page.getByTestId('nav').locator('[data-nav="audit"]').count(), 0)
      // Typing the address sends the clerk back home.
      await page.goto('/audit')
      await page.locator('[data-testid="role-home"][data-role="clerk"]').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
