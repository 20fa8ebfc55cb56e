// The waiting-area display receives a call made on the doctor's page: the
// display (signed in as the `display` device account, in its own browser
// context) shows the ticket, the masked name and the room, large, and
// speaks the call; after a recall it speaks it again.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { launchBrowser, openPage, screenshot, signInAs } from './lib.mjs'
import { AREAS, openTodaySession, pickSession, queuedPatient, recordSpeech, waitForSpoken } from './triage-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const area = AREAS.display

describe('triage display', () => {
  test('a call on the doctor page shows on the display with the masked name and is spoken', async () => {
    const session = await openTodaySession(area)
    const { patient } = await queuedPatient(session)
    const next = await queuedPatient(session)

    // The screen: a 1920×1080 display in its own context, speech recorded.
    const screen = await openPage(browser, { viewport: { width: 1920, height: 1080 } })
    const doctor = await openPage(browser)
    try {
      await recordSpeech(screen.context)
      await screen.page.goto('/login')
      await signInAs(screen.page, 'display')
      await screen.page.getByTestId('available-pages').locator('[data-page="display"]').click()
      await screen.page.getByTestId('display-areas').locator(`[data-code="${area.department}"]`).click()
      const display = screen.page.getByTestId('display-screen')
      await display.waitFor()
      assert.equal(new URL(screen.page.url()).pathname, `/display/${area.department}`)
      // No app header: the screen is the whole page.
      assert.equal(await screen.page.getByTestId('nav').count(), 0)
      await screen.page.locator('[data-testid="live-state"][data-state="open"]').waitFor()

      // The doctor opens her room and calls the next patient.
      await doctor.page.goto('/login')
      await signInAs(doctor.page, 'doctor')
      await doctor.page.getByTestId('nav').locator('[data-nav="doctor"]').click()
      await pickSession(doctor.page, area.department, session.id)
      await doctor.page.getByTestId('select-room').selectOption(area.room)
      await doctor.page.getByTestId('open-room').click()
      await doctor.page.locator('[data-testid="room-controls"][data-state="open"]').waitFor()
      const [calledResponse] = await Promise.all([
        doctor.page.waitForResponse(
          (r) => new URL(r.url()).pathname === `/api/v1/triage/sessions/${session.id}/call-next`,
        ),
        doctor.page.getByTestId('call-next').click(),
      ])
      assert.equal(calledResponse.status(), 200, await calledResponse.text())
      const called = await calledResponse.json()
      assert.equal(called.patient_id, patient.id)
      assert.notEqual(called.name, patient.name, 'the call carries a masked name')
      assert.ok(called.name.includes('*'), `masked: ${called.name}`)

      // The display shows it, big: "23号 张*丽 → REP 诊室2".
      const now = screen.page.locator(`[data-testid="display-now"][data-ticket="${called.ticket_no}"]`)
      await now.waitFor()
      assert.equal((await now.getByTestId('display-now-ticket').textContent())?.trim(), `${called.ticket_no}号`)
      assert.equal((await now.getByTestId('display-now-name').textContent())?.trim(), called.name)
      const roomText = (await now.getByTestId('display-now-room').textContent())?.trim() ?? ''
      assert.ok(roomText.includes('2'), `the room is shown: ${roomText}`)
      assert.equal(await screen.page.getByText(patient.name).count(), 0, 'the full name never shows')
      const fontSize = await now
        .getByTestId('display-now-name')
        .evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
      assert.ok(fontSize >= 64, `large type on the screen (${fontSize}px)`)

      // …and speaks it in Chinese.
      const [first] = await waitForSpoken(screen.page, 1)
      assert.equal(first.lang, 'zh-CN')
      assert.ok(first.text.includes(`请${called.ticket_no}号`), first.text)
      assert.ok(first.text.includes(called.name), first.text)

      // The next call takes the top; the first moves to the recent calls.
      await doctor.page.getByTestId('call-next').click()
      const second = screen.page.locator(`[data-testid="display-now"][data-ticket="${next.appointment.ticket_no}"]`)
      await second.waitFor()
      await screen.page.locator(`[data-testid="display-recent-call"][data-ticket="${called.ticket_no}"]`).waitFor()
      const [, spokenNext] = await waitForSpoken(screen.page, 2)
      assert.ok(spokenNext.text.includes(`${next.appointment.ticket_no}号`), spokenNext.text)

      // A recall is spoken again.
      await doctor.page.getByTestId('recall').click()
      await doctor.page.getByTestId('flash').waitFor()
      const again = (await waitForSpoken(screen.page, 3))[2]
      assert.ok(again.text.includes(`${next.appointment.ticket_no}号`) && again.text.includes('再次'), again.text)

      // For the README: once the new call has stopped flashing.
      await second.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)))
      await screenshot(screen.page, 'triage-display')

      assert.deepEqual(screen.errors, [])
      assert.deepEqual(doctor.errors, [])
    } finally {
      await screen.context.close()
      await doctor.context.close()
    }
  })
})
