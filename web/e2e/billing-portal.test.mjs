// Paying on the phone: the demo mother books online, sees the fee due under
// "My appointments", pays it on the gateway's checkout page (a real
// navigation and click), comes back to "My bills" and sees it paid with its
// receipt; large text keeps the page on the screen. A payment that arrives
// twice is refunded by itself and the portal says why.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  BASE_URL,
  PHONE,
  apiCall,
  bookableSlots,
  createOrder,
  eventually,
  formatFen,
  hospitalClock,
  launchBrowser,
  openPage,
  openCheckout,
  portalSignIn,
  portalToken,
  randomPhone,
  registerPatient,
  rootFontSize,
  screenshot,
  scrollsSideways,
  simulatorPay,
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
 * @param {import('playwright-core').Page} page
 * @param {(path: string) => boolean} matches
 * @param {string} method
 * @param {() => Promise<unknown>} action
 */
async function expectCall(page, matches, method, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => matches(new URL(r.url()).pathname) && r.request().method() === method),
    action(),
  ])
  return response
}

/** The demo mother's phone (stork seed-demo). */
const DEMO_MOTHER_PHONE = '13800138000'

/**
 * Books the first of the given slots the server lets her have (another test
 * may have taken her day in a department).
 * @param {string} token her portal token
 * @param {number} patientId
 * @param {any[]} slots
 */
async function bookOnline(token, patientId, slots) {
  for (const slot of slots.slice(0, 15)) {
    const { status, json } = await apiCall('POST', '/api/v1/appointments', {
      token,
      headers: { 'Idempotency-Key': `e2e-bill-${slot.id}-${Date.now()}` },
      body: { patient_id: patientId, slot_id: slot.id, channel: 'online' },
    })
    if (status === 201) return json
    assert.equal(status, 409, JSON.stringify(json))
  }
  throw new Error('no slot could be booked online for the demo mother')
}

describe('bills on the phone', () => {
  test('the demo mother pays her online booking on the checkout page and comes back to see it paid with the receipt', async () => {
    const { context, page, errors } = await openPage(browser, PHONE)
    try {
      await portalSignIn(page, DEMO_MOTHER_PHONE)
      const token = await portalToken(page)
      const me = await apiCall('GET', '/api/v1/portal/me', { token })
      assert.equal(me.status, 200)
      const motherId = me.json.family.patient.id

      // She books online: the fee is due within the hold.
      const appointment = await bookOnline(token, motherId, await bookableSlots('online', { leadMinutes: 60 }))
      assert.equal(appointment.payment, 'due', JSON.stringify(appointment))
      assert.ok(appointment.payment_due_at)
      const orders = await apiCall('GET', `/api/v1/patients/${motherId}/orders`, { token })
      const order = orders.json.items.find((/** @type {{appointment_id: number}} */ o) => o.appointment_id === appointment.id)
      assert.ok(order, 'the booking made a bill')
      assert.equal(order.state, 'unpaid')

      // 1. My appointments: "to pay · pay before HH:MM", with a way to pay.
      await page.getByTestId('portal-nav').locator('[data-nav="portal-appointments"]').tap()
      const row = page.locator(`[data-testid="appointment"][data-id="${appointment.id}"]`)
      const due = row.locator('[data-testid="appointment-payment"][data-payment="due"]')
      await due.waitFor()
      const dueText = (await due.textContent()) ?? ''
      assert.ok(dueText.includes('待支付'), dueText)
      assert.ok(dueText.includes(hospitalClock(appointment.payment_due_at)), dueText)
      assert.equal(await scrollsSideways(page), false, 'my appointments scrolls sideways')
      await due.getByTestId('appointment-pay').tap()

      // 2. My bills: the booking's bill on top, counting down to the deadline.
      await page.getByTestId('portal-bills-title').waitFor()
      assert.equal(new URL(page.url()).pathname, '/portal/bills')
      const bill = page.getByTestId('bills-open').locator(`[data-testid="order"][data-id="${order.id}"]`)
      await bill.waitFor()
      assert.equal((await bill.getByTestId('order-outstanding').textContent())?.trim(), formatFen(order.outstanding_fen))
      assert.match((await bill.getByTestId('order-countdown').textContent()) ?? '', /\d+:\d{2}/)
      assert.ok((await bill.getByTestId('order-deadline').textContent())?.includes(hospitalClock(order.hold_until)))
      assert.equal(await scrollsSideways(page), false, 'my bills scrolls sideways')
      await screenshot(page, 'billing-portal-due')

      // 3. Pay: off to the gateway's checkout page, a real page on another port.
      const checkout = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/checkout`, 'POST', () =>
        bill.locator('[data-action="pay"]').tap(),
      )
      assert.equal(checkout.status(), 200)
      await page.waitForURL((url) => url.origin !== new URL(BASE_URL).origin && url.pathname.startsWith('/checkout/'))
      assert.ok((await page.locator('.amount').textContent())?.includes(formatFen(order.outstanding_fen)))
      // The page she is on is the order's open checkout.
      const open = await apiCall('GET', `/api/v1/orders/${order.id}`, { token })
      assert.equal(new URL(page.url()).origin, new URL(open.json.pay_url).origin)
      assert.equal(new URL(page.url()).pathname, new URL(open.json.pay_url).pathname)

      // 4. "确认支付": the gateway sends her back to My bills, which asks the server.
      const [synced] = await Promise.all([
        page.waitForResponse(
          (r) => new URL(r.url()).pathname === `/api/v1/orders/${order.id}/sync` && r.request().method() === 'POST',
        ),
        page.getByRole('button', { name: /确认支付/ }).tap(),
      ])
      assert.equal(new URL(page.url()).pathname, '/portal/bills')
      assert.equal(new URL(page.url()).searchParams.get('order'), String(order.id))
      assert.equal(synced.status(), 200, await synced.text())
      const paidOrder = await synced.json()
      assert.equal(paidOrder.state, 'paid')
      const payment = paidOrder.ledger.find((/** @type {{kind: string}} */ e) => e.kind === 'payment')
      assert.equal(payment.method, 'wechatpay')

      const result = page.locator('[data-testid="pay-result"][data-state="paid"]')
      await result.waitFor()
      const resultText = (await result.textContent()) ?? ''
      assert.ok(resultText.includes('支付成功'), resultText)
      assert.ok(resultText.includes(payment.receipt_no), resultText)
      assert.ok(resultText.includes(formatFen(payment.amount_fen)), resultText)

      // The bill is done, and the receipt is listed.
      await page.getByTestId('bills-others').locator(`[data-testid="order"][data-id="${order.id}"][data-state="paid"]`).waitFor()
      assert.equal(await page.getByTestId('bills-open').locator(`[data-id="${order.id}"]`).count(), 0)
      const receipt = page.getByTestId('portal-receipts').locator(`[data-testid="receipt"][data-receipt-no="${payment.receipt_no}"]`)
      await receipt.waitFor()
      assert.equal(await receipt.getAttribute('data-kind'), 'payment')
      assert.equal((await receipt.getByTestId('receipt-amount').textContent())?.trim(), formatFen(payment.amount_fen))
      assert.equal(await scrollsSideways(page), false, 'my bills scrolls sideways after paying')
      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'billing-portal')

      // Large text: bigger, still nothing off the side of the screen.
      const normal = await rootFontSize(page)
      await page.getByTestId('large-text-toggle').tap()
      assert.ok((await rootFontSize(page)) > normal, 'large text enlarges the page')
      assert.equal(await scrollsSideways(page), false, 'my bills in large text scrolls sideways')
      await screenshot(page, 'billing-portal-large')

      // Her appointment now shows the fee as paid.
      await page.getByTestId('portal-nav').locator('[data-nav="portal-appointments"]').tap()
      await row.locator('[data-testid="appointment-payment"][data-payment="paid"]').waitFor()
      assert.equal(await scrollsSideways(page), false, 'my appointments in large text scrolls sideways')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('a bill paid twice is refunded by itself; the portal explains it and the refund names the payment', async () => {
    const clerk = await staffToken('clerk')
    const phone = randomPhone()
    const mother = await registerPatient(clerk, { phone })
    // Her phone's checkout is open when she pays at the window in cash; then the phone pays too.
    const order = await createOrder(clerk, mother.id, ['SVC-DRESSING'])
    const checkout = await openCheckout(clerk, order.id)
    const cash = await apiCall('POST', `/api/v1/orders/${order.id}/payments`, {
      token: clerk,
      headers: { 'Idempotency-Key': `e2e-dup-${order.id}-${Date.now()}` },
      body: { method: 'cash', amount_fen: order.outstanding_fen },
    })
    assert.equal(cash.status, 201, JSON.stringify(cash.json))
    await simulatorPay(checkout.pay_url, order.order_no)
    const refunded = await eventually(
      async () => {
        const { json } = await apiCall('GET', `/api/v1/orders/${order.id}`, { token: clerk })
        return json.ledger.find(
          (/** @type {{kind: string, cause: string}} */ e) => e.kind === 'refund' && e.cause === 'duplicate_payment',
        )
      },
      { what: 'the automatic refund of the second payment' },
    )

    const { context, page, errors } = await openPage(browser, PHONE)
    try {
      await portalSignIn(page, phone)
      await page.getByTestId('portal-nav').locator('[data-nav="portal-bills"]').tap()
      await page.getByTestId('portal-bills-title').waitFor()
      const bill = page.locator(`[data-testid="order"][data-id="${order.id}"]`)
      await bill.waitFor()
      const note = bill.locator('[data-testid="order-note"][data-cause="duplicate_payment"]')
      await note.waitFor()
      assert.ok((await note.textContent())?.includes('自动退款'))

      const receipts = page.getByTestId('portal-receipts')
      const refundRow = receipts.locator(`[data-testid="receipt"][data-receipt-no="${refunded.receipt_no}"]`)
      await refundRow.waitFor()
      assert.equal(await refundRow.getAttribute('data-kind'), 'refund')
      assert.equal(await refundRow.getAttribute('data-auto'), 'true')
      const paidBy = await apiCall('GET', `/api/v1/receipts/${refunded.receipt_no}`, { token: clerk })
      assert.equal(paidBy.status, 200)
      const reverses = refundRow.getByTestId('receipt-reverses')
      assert.equal(await reverses.getAttribute('data-reverses'), paidBy.json.reverses)
      assert.ok((await reverses.textContent())?.includes(paidBy.json.reverses))
      const refundNote = (await refundRow.getByTestId('receipt-note').textContent()) ?? ''
      assert.ok(refundNote.includes('自动退款'), refundNote)
      // The gateway carries the refund out right after the notification; the
      // row says "processing" exactly while the page showed it as pending.
      if ((await refundRow.getAttribute('data-refund-status')) === 'pending') {
        assert.ok(refundNote.includes('退款处理中'), refundNote)
      } else {
        assert.ok(!refundNote.includes('退款处理中'), refundNote)
      }
      await receipts.locator(`[data-testid="receipt"][data-receipt-no="${paidBy.json.reverses}"]`).waitFor()
      assert.equal(await scrollsSideways(page), false, 'my bills scrolls sideways')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
