// Billing at the one-stop window (clerk): find the patient by card number,
// bill an exam, take cash (after a wrong amount), print the receipt, refund
// part with a reason (and a refund beyond what was paid); a scanned e-card,
// insurance first, then the patient's share paid on her phone from the QR
// code; cash a cancelled window booking refunded by rule, handed back over
// the counter.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  PHONE,
  UUID_PATTERN,
  apiCall,
  bookableSlots,
  createOrder,
  formatFen,
  launchBrowser,
  loadedWidth,
  openPage,
  portalSignIn,
  randomPhone,
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

/** @param {string} code */
async function feeAmount(code) {
  const { status, json } = await apiCall('GET', '/api/v1/fees')
  assert.equal(status, 200)
  const fee = json.items.find((/** @type {{code: string}} */ f) => f.code === code)
  assert.ok(fee, `the fee catalogue has ${code}`)
  return /** @type {{ amount_fen: number, insurance_percent: number }} */ (fee)
}

/**
 * Books the first of the given slots the server lets the window have for her
 * (another test may have taken her day in a department).
 * @param {string} token a clerk's token
 * @param {number} patientId
 * @param {any[]} slots
 */
async function bookAtWindow(token, patientId, slots) {
  for (const slot of slots.slice(0, 15)) {
    const { status, json } = await apiCall('POST', '/api/v1/appointments', {
      token,
      headers: { 'Idempotency-Key': `e2e-payout-${slot.id}-${Date.now()}` },
      body: { patient_id: patientId, slot_id: slot.id, channel: 'window' },
    })
    if (status === 201) return json
    assert.equal(status, 409, JSON.stringify(json))
  }
  throw new Error('no slot could be booked at the window')
}

describe('billing at the window', () => {
  test('the clerk finds a patient by card number, bills a blood count, takes cash, prints the receipt and refunds part of it', async () => {
    const clerk = await staffToken('clerk')
    const patient = await registerPatient(clerk)
    const cbc = await feeAmount('EXAM-CBC')

    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'clerk')
      // The clerk's home offers the window, and so does the nav.
      await page.getByTestId('available-pages').locator('[data-page="window"]').waitFor()
      await page.getByTestId('nav').locator('[data-nav="window"]').click()
      await page.getByTestId('window-find').waitFor()
      assert.equal(new URL(page.url()).pathname, '/window')

      // 1. The card number finds her at once.
      await page.getByTestId('scan-input').fill(patient.card_no)
      const found = await expectCall(page, (p) => p === '/api/v1/patients', 'GET', () =>
        page.getByTestId('scan-submit').click(),
      )
      assert.equal(found.status(), 200)
      const panel = page.locator(`[data-testid="window-patient"][data-id="${patient.id}"]`)
      await panel.waitFor()
      assert.equal((await panel.getByTestId('window-patient-name').textContent())?.trim(), patient.name)
      assert.equal(new URL(page.url()).searchParams.get('patient'), String(patient.id))
      // Her e-card is on the page, and booking is one click away.
      await page.getByTestId('card-panel').getByTestId('ecard').waitFor()
      assert.equal(await page.getByTestId('window-book').getAttribute('href'), `/patients/${patient.id}/book`)

      // 2. A bill for a complete blood count.
      const form = page.getByTestId('new-order-form')
      await form.getByTestId('select-fee_code').selectOption('EXAM-CBC')
      const created = await expectCall(page, (p) => p === '/api/v1/orders', 'POST', () =>
        form.getByTestId('create-order').click(),
      )
      assert.equal(created.status(), 201, await created.text())
      assert.deepEqual(JSON.parse(created.request().postData() ?? '{}'), {
        patient_id: patient.id,
        items: [{ fee_code: 'EXAM-CBC', quantity: 1 }],
      })
      const order = await created.json()
      assert.equal(order.total_fen, cbc.amount_fen)
      const row = page.locator(`[data-testid="order"][data-id="${order.id}"]`)
      await row.waitFor()
      assert.equal(await row.getAttribute('data-state'), 'unpaid')
      assert.equal((await row.getByTestId('order-total').textContent())?.trim(), formatFen(cbc.amount_fen))

      // 3. Cash: the amount is prefilled; a wrong one is refused beside the field.
      await row.locator('[data-action="collect"]').click()
      const pay = page.getByTestId('payment-dialog')
      await pay.waitFor()
      assert.equal(await pay.getByTestId('pay-mode-cash').getAttribute('aria-pressed'), 'true')
      const amount = pay.getByTestId('input-amount_fen')
      assert.equal(await amount.inputValue(), (cbc.amount_fen / 100).toFixed(2))
      await amount.fill(((cbc.amount_fen - 100) / 100).toFixed(2))
      const wrong = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/payments`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(wrong.status(), 422)
      assert.equal((await wrong.json()).code, 'amount_mismatch')
      const amountError = pay.getByTestId('field-error-amount_fen')
      await amountError.waitFor()
      assert.ok((await amountError.textContent())?.includes(formatFen(cbc.amount_fen)))
      assert.equal(await amount.getAttribute('aria-invalid'), 'true')
      const wrongKey = wrong.request().headers()['idempotency-key']

      await amount.fill((cbc.amount_fen / 100).toFixed(2))
      const paid = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/payments`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(paid.status(), 201, await paid.text())
      const key = paid.request().headers()['idempotency-key'] ?? ''
      assert.match(key, UUID_PATTERN)
      assert.notEqual(key, wrongKey, 'another amount is another payment attempt')
      assert.deepEqual(JSON.parse(paid.request().postData() ?? '{}'), { method: 'cash', amount_fen: cbc.amount_fen })
      const receipt = await paid.json()

      // 4. The receipt, ready to print; printing shows nothing but the receipt.
      const sheet = page.locator(`[data-testid="receipt-sheet"][data-receipt-no="${receipt.receipt_no}"]`)
      await sheet.waitFor()
      assert.equal((await sheet.getByTestId('sheet-amount').textContent())?.trim(), formatFen(cbc.amount_fen))
      assert.equal((await sheet.getByTestId('sheet-method').textContent())?.trim(), '现金')
      assert.ok((await sheet.getByTestId('sheet-patient').textContent())?.includes(patient.name))
      await page.locator(`[data-testid="order"][data-id="${order.id}"][data-state="paid"]`).waitFor()
      await page.evaluate(() => {
        const w = /** @type {any} */ (window)
        w.__printed = 0
        w.print = () => {
          w.__printed += 1
        }
      })
      await page.getByTestId('print-receipt').click()
      assert.equal(await page.evaluate(() => /** @type {any} */ (window).__printed), 1)
      await page.emulateMedia({ media: 'print' })
      assert.equal(await page.getByTestId('nav').isVisible(), false, 'the nav does not print')
      assert.equal(await page.getByTestId('new-order-form').isVisible(), false, 'the forms do not print')
      assert.equal(await page.getByTestId('card-panel').getByTestId('ecard').isVisible(), false, 'the e-card does not print')
      assert.equal(await sheet.isVisible(), true, 'the receipt prints')
      await page.emulateMedia({ media: 'screen' })

      // 5. A refund beyond what was paid: refused, the amount field says how much may go back.
      await row.locator('[data-action="refund"]').click()
      const refund = page.getByTestId('refund-dialog')
      await refund.waitFor()
      const refundAmount = refund.getByTestId('input-amount_fen')
      assert.equal(await refundAmount.inputValue(), (cbc.amount_fen / 100).toFixed(2))
      await refundAmount.fill(((cbc.amount_fen + 500) / 100).toFixed(2))
      await refund.getByTestId('input-reason').fill('少做一项检查')
      const tooMuch = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/refunds`, 'POST', () =>
        refund.getByTestId('refund-submit').click(),
      )
      assert.equal(tooMuch.status(), 422)
      const problem = await tooMuch.json()
      assert.equal(problem.code, 'refund_exceeds_payment')
      assert.ok(problem.errors.some((/** @type {{field: string}} */ e) => e.field === 'amount_fen'))
      const refundError = refund.getByTestId('field-error-amount_fen')
      await refundError.waitFor()
      assert.ok((await refundError.textContent())?.includes(formatFen(cbc.amount_fen)))
      assert.equal(await refundAmount.getAttribute('aria-invalid'), 'true')

      // 6. Part of it, with the reason: a refund receipt that names the payment receipt.
      const part = 500
      await refundAmount.fill((part / 100).toFixed(2))
      const refunded = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/refunds`, 'POST', () =>
        refund.getByTestId('refund-submit').click(),
      )
      assert.equal(refunded.status(), 201, await refunded.text())
      assert.match(refunded.request().headers()['idempotency-key'] ?? '', UUID_PATTERN)
      assert.deepEqual(JSON.parse(refunded.request().postData() ?? '{}'), { amount_fen: part, reason: '少做一项检查' })
      const [refundReceipt] = (await refunded.json()).items
      assert.equal(refundReceipt.reverses, receipt.receipt_no)
      const refundSheet = page.locator(`[data-testid="receipt-sheet"][data-receipt-no="${refundReceipt.receipt_no}"]`)
      await refundSheet.waitFor()
      assert.equal(await refundSheet.getAttribute('data-kind'), 'refund')
      assert.ok((await refundSheet.getByTestId('sheet-reverses').textContent())?.includes(receipt.receipt_no))
      assert.equal((await refundSheet.getByTestId('sheet-amount').textContent())?.trim(), formatFen(-part))

      const refundedRow = page.locator(`[data-testid="order"][data-id="${order.id}"][data-state="partially_refunded"]`)
      await refundedRow.waitFor()
      assert.equal((await refundedRow.getByTestId('order-refunded').textContent())?.trim(), formatFen(part))
      const listed = page.locator(`[data-testid="receipt"][data-receipt-no="${refundReceipt.receipt_no}"]`)
      await listed.waitFor()
      assert.equal(await listed.getByTestId('receipt-reverses').getAttribute('data-reverses'), receipt.receipt_no)
      assert.ok((await listed.getByTestId('receipt-note').textContent())?.includes('少做一项检查'))
      await page.locator(`[data-testid="receipt"][data-receipt-no="${receipt.receipt_no}"]`).waitFor()
      await page.getByTestId('bills-flash').waitFor()

      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'billing-window')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('the scanned e-card finds her; insurance settles first, she pays her share on her phone from the QR code and the clerk checks it', async () => {
    const clerk = await staffToken('clerk')
    const patient = await registerPatient(clerk)
    const cbc = await feeAmount('EXAM-CBC')
    const order = await createOrder(clerk, patient.id, ['EXAM-CBC'])
    const insured = Math.round((cbc.amount_fen * cbc.insurance_percent) / 100)
    const share = cbc.amount_fen - insured

    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'clerk')
      await page.getByTestId('nav').locator('[data-nav="window"]').click()
      // The scanner reads her e-card's QR code into the box.
      const card = await apiCall('GET', `/api/v1/patients/${patient.id}/card`, { token: clerk })
      assert.equal(card.status, 200)
      await page.getByTestId('scan-input').fill(card.json.qr)
      const resolved = await expectCall(page, (p) => p === '/api/v1/cards/resolve', 'POST', () =>
        page.getByTestId('scan-input').press('Enter'),
      )
      assert.equal(resolved.status(), 200, await resolved.text())
      assert.deepEqual(JSON.parse(resolved.request().postData() ?? '{}'), { qr: card.json.qr })
      await page.locator(`[data-testid="window-patient"][data-id="${patient.id}"]`).waitFor()
      const row = page.locator(`[data-testid="order"][data-id="${order.id}"]`)
      await row.locator('[data-action="collect"]').click()
      const pay = page.getByTestId('payment-dialog')
      await pay.getByTestId('pay-mode-insurance').click()

      // A malformed insurance number is named beside its field.
      const number = pay.getByTestId('input-insurance_no')
      await number.fill('YB12')
      const bad = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/insurance`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(bad.status(), 400)
      await pay.getByTestId('field-error-insurance_no').waitFor()

      await number.fill('YB3101234567')
      const settled = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/insurance`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(settled.status(), 200, await settled.text())
      const afterInsurance = await settled.json()
      assert.equal(afterInsurance.state, 'partially_paid')
      assert.equal(afterInsurance.outstanding_fen, share)
      await page.getByTestId('bills-flash').waitFor()
      assert.equal((await pay.getByTestId('payment-due').textContent())?.includes(formatFen(share)), true)
      assert.equal(await pay.getByTestId('input-amount_fen').inputValue(), (share / 100).toFixed(2))

      // Her share by phone: the checkout page as a QR code.
      await pay.getByTestId('pay-mode-mobile').click()
      const checkout = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/checkout`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(checkout.status(), 200, await checkout.text())
      const { pay_url: payUrl } = await checkout.json()
      assert.ok((await loadedWidth(pay.getByTestId('pay-qr-image'))) > 0, 'the QR code drew')
      assert.equal(await pay.getByTestId('pay-url').getAttribute('href'), payUrl)

      // Not paid yet: the clerk is told to wait.
      const early = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/sync`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(early.status(), 200)
      await pay.getByTestId('mobile-note').waitFor()

      // She pays on the gateway's page (her phone: another tab here).
      const phone = await context.newPage()
      await phone.goto(payUrl)
      assert.ok((await phone.locator('.amount').textContent())?.includes(formatFen(share)))
      await Promise.all([phone.waitForURL(/\/portal\//), phone.getByRole('button', { name: /确认支付/ }).click()])
      await phone.close()

      const synced = await expectCall(page, (p) => p === `/api/v1/orders/${order.id}/sync`, 'POST', () =>
        pay.getByTestId('payment-submit').click(),
      )
      assert.equal(synced.status(), 200)
      assert.equal((await synced.json()).state, 'paid')
      await page.locator(`[data-testid="order"][data-id="${order.id}"][data-state="paid"]`).waitFor()
      assert.equal(await page.getByTestId('payment-dialog').isVisible(), false)
      const receipts = await apiCall('GET', `/api/v1/patients/${patient.id}/receipts`, { token: clerk })
      const methods = receipts.json.items.map((/** @type {{method: string}} */ r) => r.method).sort()
      assert.deepEqual(methods, ['insurance', 'wechatpay'])
      for (const r of receipts.json.items) {
        await page.locator(`[data-testid="receipt"][data-receipt-no="${r.receipt_no}"]`).waitFor()
      }
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('cash paid for a window booking that is cancelled in time waits at the window; the clerk hands it back and confirms', async () => {
    const clerk = await staffToken('clerk')
    const phone = randomPhone()
    const patient = await registerPatient(clerk, { phone })
    // Booked at the window well before the cancel deadline (2 h before the start).
    const appointment = await bookAtWindow(clerk, patient.id, await bookableSlots('window', { leadMinutes: 240 }))
    assert.equal(appointment.payment, 'due', JSON.stringify(appointment))
    const orders = await apiCall('GET', `/api/v1/patients/${patient.id}/orders`, { token: clerk })
    assert.equal(orders.status, 200)
    const order = orders.json.items.find((/** @type {{appointment_id: number}} */ o) => o.appointment_id === appointment.id)
    assert.ok(order, 'the booking made a bill')
    const fee = order.outstanding_fen
    assert.ok(fee > 0)
    // She pays in cash at the window, then the booking is cancelled in time.
    const paid = await apiCall('POST', `/api/v1/orders/${order.id}/payments`, {
      token: clerk,
      headers: { 'Idempotency-Key': `e2e-payout-cash-${order.id}-${Date.now()}` },
      body: { method: 'cash', amount_fen: fee },
    })
    assert.equal(paid.status, 201, JSON.stringify(paid.json))
    const cancelled = await apiCall('POST', `/api/v1/appointments/${appointment.id}/cancel`, { token: clerk })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.json))
    const owedOrder = await apiCall('GET', `/api/v1/orders/${order.id}`, { token: clerk })
    const refund = owedOrder.json.ledger.find((/** @type {{kind: string}} */ e) => e.kind === 'refund')
    assert.ok(refund, JSON.stringify(owedOrder.json))
    assert.deepEqual(
      { method: refund.method, status: refund.refund_status, cause: refund.cause, amount: refund.amount_fen },
      { method: 'cash', status: 'pending', cause: 'rule', amount: fee },
      'nobody has handed her the cash yet',
    )

    // 1. On her phone: the refund is collected at the window, not "in progress".
    {
      const { context, page, errors } = await openPage(browser, PHONE)
      try {
        await portalSignIn(page, phone)
        await page.goto('/portal/bills')
        const bill = page.locator(`[data-testid="order"][data-id="${order.id}"]`)
        const collect = bill.getByTestId('order-note-collect')
        await collect.waitFor()
        assert.equal((await collect.textContent())?.trim(), '请到窗口领取退款')
        const receiptRow = page.locator(`[data-testid="receipt"][data-receipt-no="${refund.receipt_no}"]`)
        const note = (await receiptRow.getByTestId('receipt-note').textContent()) ?? ''
        assert.ok(note.includes('请到窗口领取退款'), note)
        assert.ok(!note.includes('退款处理中'), note)
        assert.deepEqual(errors, [])
      } finally {
        await context.close()
      }
    }

    // 2. The clerk serves her at the window: the cash to hand back, on the bill.
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'clerk')
      await page.getByTestId('nav').locator('[data-nav="window"]').click()
      await page.getByTestId('scan-input').fill(patient.card_no)
      await page.getByTestId('scan-submit').click()
      await page.locator(`[data-testid="window-patient"][data-id="${patient.id}"]`).waitFor()
      const row = page.locator(`[data-testid="order"][data-id="${order.id}"]`)
      const owed = row.locator(`[data-testid="refund-owed"][data-refund-id="${refund.id}"]`)
      await owed.waitFor()
      assert.equal((await owed.getByTestId('refund-owed-text').textContent())?.trim(), `待退还现金 ${formatFen(fee)} · 请当面退还`)
      const entry = row.locator(`[data-testid="ledger-entry"][data-id="${refund.id}"]`)
      assert.equal(await entry.getAttribute('data-refund-status'), 'pending')
      const listed = page.locator(`[data-testid="receipt"][data-receipt-no="${refund.receipt_no}"]`)
      assert.ok((await listed.getByTestId('receipt-note').textContent())?.includes('待当面退还'))

      // 3. "Handed over" asks first; cancelling the question records nothing.
      /** @type {string[]} */
      const payOuts = []
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.endsWith('/paid-out')) payOuts.push(r.method())
      })
      const dialog = page.getByTestId('confirm-dialog')
      await owed.locator('[data-action="pay-out"]').click()
      await dialog.waitFor()
      assert.ok((await dialog.textContent())?.includes(formatFen(fee)))
      await dialog.getByTestId('confirm-cancel').click()
      await dialog.waitFor({ state: 'hidden' })
      assert.deepEqual(payOuts, [])
      await owed.waitFor()

      await screenshot(page, 'billing-window-pay-out')
      await owed.locator('[data-action="pay-out"]').click()
      const done = await expectCall(page, (p) => p === `/api/v1/refunds/${refund.id}/paid-out`, 'POST', () =>
        dialog.getByTestId('confirm-ok').click(),
      )
      assert.equal(done.status(), 200, await done.text())
      const updated = await done.json()
      assert.equal(updated.id, order.id)
      assert.equal(
        updated.ledger.find((/** @type {{id: number}} */ e) => e.id === refund.id)?.refund_status,
        'succeeded',
      )

      // 4. The line is gone: a completed refund in the ledger and the receipts.
      await owed.waitFor({ state: 'detached' })
      await row.locator(`[data-testid="ledger-entry"][data-id="${refund.id}"][data-refund-status="succeeded"]`).waitFor({
        state: 'attached',
      })
      await page.locator(`[data-testid="receipt"][data-receipt-no="${refund.receipt_no}"][data-refund-status="succeeded"]`).waitFor()
      assert.ok(!(await listed.getByTestId('receipt-note').textContent())?.includes('待当面退还'))
      assert.ok((await page.getByTestId('bills-flash').textContent())?.includes(formatFen(fee)))
      // The refund receipt is ready to print for her.
      await page.locator(`[data-testid="receipt-sheet"][data-receipt-no="${refund.receipt_no}"]`).waitFor()
      assert.equal(await row.getAttribute('data-state'), 'refunded')

      // Handing it over twice is refused.
      const again = await apiCall('POST', `/api/v1/refunds/${refund.id}/paid-out`, { token: clerk })
      assert.equal(again.status, 409)
      assert.equal(again.json.code, 'invalid_state')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
