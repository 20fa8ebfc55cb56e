// The doctor's queue panel: calling into a closed room is refused until
// she opens it; then call next, absent (the patient goes back), call next
// again, confirm in the room, finish; a transfer to another room; and the
// queue list following a check-in made elsewhere, live.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiCall, launchBrowser, openPage, screenshot, signInAs, staffToken } from './lib.mjs'
import { AREAS, openTodaySession, pickSession, queuedPatient } from './triage-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const area = AREAS.doctor

describe('triage doctor', () => {
  test('the doctor opens her room, calls, marks absent, confirms, finishes and transfers, the queue updating live', async () => {
    const session = await openTodaySession(area)
    const first = await queuedPatient(session)
    const second = await queuedPatient(session)

    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'doctor')
      await page.getByTestId('nav').locator('[data-nav="doctor"]').click()
      await page.getByTestId('page-title').waitFor()
      await pickSession(page, area.department, session.id)
      await page.getByTestId('select-room').selectOption(area.room)
      // The choice is kept in the address.
      await page.waitForURL((url) => url.searchParams.get('room') === area.room)
      await page.locator('[data-testid="live-state"][data-state="open"]').waitFor()

      // Both patients wait, in call order; the room is closed, so no calling yet.
      const waiting = page.getByTestId('waiting-list').getByTestId('queue-entry')
      await page.getByTestId('waiting-list').locator(`[data-patient-id="${second.patient.id}"]`).waitFor()
      assert.equal(await waiting.count(), 2)
      assert.equal(await page.getByTestId('call-next').isDisabled(), true)
      await page.getByTestId('open-room').click()
      await page.locator('[data-testid="room-controls"][data-state="open"]').waitFor()

      // Call next: the first patient, by her masked name.
      await page.getByTestId('call-next').click()
      const current = page.getByTestId('current')
      await page.locator(`[data-testid="current"][data-state="called"]`).waitFor()
      assert.equal(
        (await page.getByTestId('current-ticket').textContent())?.trim(),
        `${first.appointment.ticket_no}号`,
      )
      const masked = (await page.getByTestId('current-name').textContent())?.trim() ?? ''
      assert.ok(masked.includes('*') && masked !== first.patient.name, `masked: ${masked}`)
      await page.getByTestId('flash').waitFor()

      // Absent: she goes back into the line; the next call brings the second.
      await page.getByTestId('absent').click()
      await page.getByTestId('waiting-list').locator(`[data-patient-id="${first.patient.id}"]`).waitFor()
      await page.getByTestId('call-next').click()
      await page.locator(`[data-testid="current"][data-state="called"]`).waitFor()
      await page.getByTestId('current-ticket').getByText(`${second.appointment.ticket_no}号`).waitFor()

      // Level 3: in the room, then finished.
      await page.getByTestId('confirm').click()
      await page.locator('[data-testid="current"][data-state="in_room"]').waitFor()
      await screenshot(page, 'triage-doctor')
      await page.getByTestId('finish').click()
      await page.getByTestId('done-count').getByText(/1/).waitFor()

      // A check-in made at another desk appears in the list without a reload.
      const third = await queuedPatient(session)
      await page.getByTestId('waiting-list').locator(`[data-patient-id="${third.patient.id}"]`).waitFor()

      // Call the next one and transfer her to a colleague's room (open: a
      // closed room is refused).
      const colleague = await apiCall('POST', `/api/v1/triage/sessions/${session.id}/rooms`, {
        token: await staffToken('doctor'),
        body: { room_code: 'PSURG-R2' },
      })
      assert.equal(colleague.status < 300, true, JSON.stringify(colleague.json))
      await page.getByTestId('call-next').click()
      await page.locator(`[data-testid="current"][data-state="called"]`).waitFor()
      const calledId = await current.getAttribute('data-id')
      await page.getByTestId('transfer').locator('summary').click()
      await page.getByTestId('select-transfer-room').selectOption('PSURG-R2')
      await page.getByTestId('transfer-submit').click()
      await page.getByTestId('waiting-list').locator(`[data-id="${calledId}"]`).waitFor()

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
