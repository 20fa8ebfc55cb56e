// "My queue" on the patient's phone: after check-in she sees her place and
// an estimated wait; when the patient ahead is called her place moves up,
// and when she is called the page tells her which room to go to, live,
// without a reload. Large text keeps it on the screen.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  PHONE,
  apiCall,
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

      // The patient ahead is called: she is next.
      const first = await apiCall('POST', `/api/v1/triage/sessions/${session.id}/call-next`, {
        token: doctor,
        body: { room_code: area.room },
      })
      assert.equal(first.status, 200, JSON.stringify(first.json))
      assert.equal(first.json.patient_id, ahead.patient.id)
      await page.locator(`[data-testid="my-queue-entry"][data-patient-id="${patient.id}"][data-position="1"]`).waitFor()
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
