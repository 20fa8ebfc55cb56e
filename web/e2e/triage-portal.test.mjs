// "My queue" on the patient's phone: after check-in she sees her place and
// an estimated wait; when the patient ahead is called her place moves up,
// and when she is called the page tells her which room to go to, live,
// without a reload. Her place moves from the event's call order alone: the
// page re-reads her queue only once she has left the list. Large text keeps
// it on the screen.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  PHONE,
  apiCall,
  eventually,
  launchBrowser,
  openPage,
  portalSignIn,
  randomPhone,
  rootFontSize,
  screenshot,
  scrollsSideways,
  staffToken,
} from './lib.mjs'
import { AREAS, openTodaySession, queuedPatient } from './triage-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const area = AREAS.portal

/**
 * Counts the page's reads of a patient's queue (`GET /api/v1/patients/{id}/queue`), started and answered.
 * @param {import('playwright-core').Page} page
 */
function countQueueReads(page) {
  const counts = { started: 0, done: 0 }
  const isQueueRead = (/** @type {import('playwright-core').Request} */ r) =>
    r.method() === 'GET' && /^\/api\/v1\/patients\/\d+\/queue$/.test(new URL(r.url()).pathname)
  page.on('request', (r) => {
    if (isQueueRead(r)) counts.started += 1
  })
  const answered = (/** @type {import('playwright-core').Request} */ r) => {
    if (isQueueRead(r)) counts.done += 1
  }
  page.on('requestfinished', answered)
  page.on('requestfailed', answered)
  return counts
}

describe('triage portal queue', () => {
  test('she sees her place and wait, moving up and then called to the room, live', async () => {
    const session = await openTodaySession(area)
    const ahead = await queuedPatient(session)
    const phone = randomPhone()
    const { patient } = await queuedPatient(session, { phone })
    const doctor = await staffToken('doctor')
    const opened = await apiCall('POST', `/api/v1/triage/sessions/${session.id}/rooms`, {
      token: doctor,
      body: { room_code: area.room },
    })
    assert.equal(opened.status < 300, true, JSON.stringify(opened.json))

    const { context, page, errors } = await openPage(browser, PHONE)
    const queueReads = countQueueReads(page)
    try {
      await portalSignIn(page, phone)
      await page.getByTestId('portal-nav').locator('[data-nav="portal-queue"]').tap()
      await page.getByTestId('portal-queue-title').waitFor()
      const mine = page.locator(`[data-testid="my-queue-entry"][data-patient-id="${patient.id}"]`)
      await page.locator(`[data-testid="my-queue-entry"][data-patient-id="${patient.id}"][data-position="2"]`).waitFor()
      assert.ok(((await mine.getByTestId('my-queue-position').textContent()) ?? '').includes('1'))
      await mine.getByTestId('my-queue-wait').waitFor()
      // Nobody else's entry or name is on her page.
      assert.equal(await page.getByTestId('my-queue-entry').count(), 1)
      assert.equal(await page.getByText(ahead.patient.name).count(), 0)
      await page.locator('[data-testid="live-state"][data-state="open"]').waitFor()
      // Her entries were read on loading and again when the socket opened.
      await eventually(async () => queueReads.started >= 2 && queueReads.started === queueReads.done, {
        what: 'the queue reads on loading and on connecting',
      })
      const readsBefore = queueReads.started

      // The patient ahead is called: she is next.
      const first = await apiCall('POST', `/api/v1/triage/sessions/${session.id}/call-next`, {
        token: doctor,
        body: { room_code: area.room },
      })
      assert.equal(first.status, 200, JSON.stringify(first.json))
      assert.equal(first.json.patient_id, ahead.patient.id)
      await page.locator(`[data-testid="my-queue-entry"][data-patient-id="${patient.id}"][data-position="1"]`).waitFor()
      // Next with one room open: no wait. Worked out from the event's call
      // order, without an (audited) read of her queue.
      await mine.locator('[data-testid="my-queue-wait"][data-minutes="0"]').waitFor()
      assert.equal(queueReads.started, readsBefore, 'a place change re-read the queue over REST')
      await screenshot(page, 'triage-portal')

      // Her turn: the page says where to go.
      const second = await apiCall('POST', `/api/v1/triage/sessions/${session.id}/call-next`, {
        token: doctor,
        body: { room_code: area.room },
      })
      assert.equal(second.json.patient_id, patient.id)
      await page.locator(`[data-testid="my-queue-entry"][data-patient-id="${patient.id}"][data-state="called"]`).waitFor()
      const call = (await mine.getByTestId('my-queue-called').textContent()) ?? ''
      assert.ok(call.includes('1'), `the room is named: ${call}`)
      // Called, she left the list: that one event re-read her queue.
      assert.ok(queueReads.started > readsBefore)

      // Large text: bigger, still on the screen.
      const normal = await rootFontSize(page)
      await page.getByTestId('large-text-toggle').tap()
      await page.waitForFunction(() => document.documentElement.classList.contains('large-text'))
      assert.ok((await rootFontSize(page)) > normal)
      assert.equal(await scrollsSideways(page), false, 'my queue in large text scrolls sideways')
      await screenshot(page, 'triage-portal-large')

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
