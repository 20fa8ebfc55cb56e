// The managers' daily takings and reconciliation: after a cash payment at
// the window and a mobile payment through the gateway, today's page shows
// them in the takings per method, and the ledger agrees with the gateway's
// statement (0 mismatches).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  apiCall,
  createOrder,
  formatFen,
  hospitalToday,
  launchBrowser,
  openPage,
  payOnGateway,
  registerPatient,
  screenshot,
  signInAs,
  staffToken,
} from './lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/**
 * Today's takings line of one method through the API (zeros when none).
 * @param {string} token
 * @param {string} method
 */
async function takingsOf(token, method) {
  const { status, json } = await apiCall('GET', `/api/v1/billing/takings?date=${hospitalToday()}`, { token })
  assert.equal(status, 200, JSON.stringify(json))
  return json.by_method.find((/** @type {{method: string}} */ l) => l.method === method) ?? { paid_fen: 0, payments: 0 }
}

describe('daily takings and reconciliation', () => {
  test('the manager sees today’s takings with a cash payment made now, and the reconciliation with 0 mismatches', async () => {
    const clerk = await staffToken('clerk')
    const manager = await staffToken('manager')
    const patient = await registerPatient(clerk)
    const cashBefore = await takingsOf(manager, 'cash')

    // A cash payment at the window…
    const ogtt = await createOrder(clerk, patient.id, ['EXAM-OGTT'])
    const cash = await apiCall('POST', `/api/v1/orders/${ogtt.id}/payments`, {
      token: clerk,
      headers: { 'Idempotency-Key': `e2e-takings-${ogtt.id}-${Date.now()}` },
      body: { method: 'cash', amount_fen: ogtt.outstanding_fen },
    })
    assert.equal(cash.status, 201, JSON.stringify(cash.json))
    // …and a mobile one through the gateway, which the reconciliation checks.
    const nst = await createOrder(clerk, patient.id, ['EXAM-NST'])
    await payOnGateway(clerk, nst)
    const synced = await apiCall('POST', `/api/v1/orders/${nst.id}/sync`, { token: clerk })
    assert.equal(synced.status, 200, JSON.stringify(synced.json))
    assert.equal(synced.json.state, 'paid')

    const expectedCash = cashBefore.paid_fen + ogtt.total_fen
    const takings = await apiCall('GET', `/api/v1/billing/takings?date=${hospitalToday()}`, { token: manager })

    // Tall enough for the screenshot to show both halves.
    const { context, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 1000 } })
    try {
      await page.goto('/login')
      await signInAs(page, 'manager')
      await page.getByTestId('available-pages').locator('[data-page="billing"]').waitFor()
      const [takingsCall] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/billing/takings'),
        page.getByTestId('nav').locator('[data-nav="billing"]').click(),
      ])
      assert.equal(new URL(page.url()).pathname, '/billing')
      // Today by default.
      assert.equal(new URL(takingsCall.url()).searchParams.get('date'), hospitalToday())
      assert.equal(await page.getByTestId('report-day').getAttribute('data-day'), hospitalToday())
      assert.equal(await page.getByTestId('input-day').inputValue(), hospitalToday())

      // Takings: the cash line includes the payment made above.
      const cashRow = page.locator('[data-testid="takings-row"][data-method="cash"]')
      await cashRow.waitFor()
      assert.equal(Number(await cashRow.getAttribute('data-paid')), expectedCash)
      assert.ok((await cashRow.textContent())?.includes(formatFen(expectedCash)))
      assert.ok((await cashRow.textContent())?.includes('现金'))
      await page.locator('[data-testid="takings-row"][data-method="wechatpay"]').waitFor()
      const net = page.getByTestId('takings-net')
      assert.ok(Number(await net.getAttribute('data-fen')) >= takings.json.net_fen)
      assert.ok(Number(await page.getByTestId('takings-orders-paid').textContent()) >= 2)
      await page.getByTestId('takings-auto-refunds').waitFor()

      // Reconciliation: both sides, and no mismatch.
      const ok = page.locator('[data-testid="recon-ok"][data-count="0"]')
      await ok.waitFor()
      assert.ok((await ok.textContent())?.includes('0'))
      assert.equal(await page.getByTestId('mismatch-table').count(), 0)
      const ledger = page.getByTestId('recon-ledger')
      const statement = page.getByTestId('recon-statement')
      assert.equal(await ledger.getAttribute('data-net'), await statement.getAttribute('data-net'))
      assert.ok(Number(await ledger.getAttribute('data-net')) >= nst.total_fen)
      await screenshot(page, 'billing-manager')

      // Another day reloads both halves.
      const [prevCall] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/billing/reconciliation'),
        page.getByTestId('day-prev').click(),
      ])
      assert.equal(prevCall.status(), 200)
      assert.notEqual(new URL(prevCall.url()).searchParams.get('date'), hospitalToday())
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
