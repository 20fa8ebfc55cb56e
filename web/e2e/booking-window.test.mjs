// Booking at the window (clerk): from the patient's record to the booking
// page, filters → slot → confirm with channel "window" → ticket number, and
// the appointment in her list. A lost answer is retried with the same
// Idempotency-Key (one booking, not two); a second ticket with the same
// doctor and session is refused with the reason shown.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  UUID_PATTERN,
  bookableSlots,
  launchBrowser,
  openPage,
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

/**
 * A doctor's slot the window may book now, preferring a session with a second
 * such slot (to try booking the same doctor twice).
 */
async function windowSlots() {
  const slots = (await bookableSlots('window')).filter((s) => s.practitioner)
  assert.ok(slots.length, 'the demo schedule has a released doctor slot the window may book')
  /** @type {Map<number, any[]>} */
  const bySession = new Map()
  for (const s of slots) bySession.set(s.session_id, [...(bySession.get(s.session_id) ?? []), s])
  const pair = [...bySession.values()].find((list) => list.length >= 2)
  return pair ?? [slots[0]]
}

const isBooking = (/** @type {string} */ path) => path === '/api/v1/appointments'

describe('booking at the window', () => {
  test('clerk books a window appointment from the patient record, sees the ticket and the list', async () => {
    const patient = await registerPatient(await staffToken('clerk'))
    const [slot, sameSession] = await windowSlots()

    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'clerk')
      await page.goto(`/patients/${patient.id}`)
      const list = page.getByTestId('patient-appointments')
      await list.getByTestId('appointments-empty').waitFor()
      await page.getByTestId('book-appointment').click()
      await page.waitForURL(`**/patients/${patient.id}/book`)

      // Filters: department, clinic, doctor, day; the channel is the window.
      const filters = page.getByTestId('slot-filters')
      assert.equal(await filters.getByTestId('select-channel').inputValue(), 'window')
      await filters.getByTestId('select-department').selectOption(slot.clinic.department_code)
      await filters.getByTestId('select-clinic').selectOption(slot.clinic.code)
      await filters.getByTestId('input-day').fill(slot.day)
      const [found] = await Promise.all([
        page.waitForResponse((r) => {
          const url = new URL(r.url())
          return url.pathname === '/api/v1/slots' && url.searchParams.get('doctor') === String(slot.practitioner.id)
        }),
        filters.getByTestId('select-doctor').selectOption(String(slot.practitioner.id)),
      ])
      const asked = new URL(found.url()).searchParams
      assert.equal(asked.get('channel'), 'window')
      assert.equal(asked.get('clinic'), slot.clinic.code)
      assert.equal(asked.get('from'), slot.day)

      const picker = page.getByTestId('slot-picker')
      const button = picker.locator(`[data-testid="slot"][data-slot-id="${slot.id}"][data-state="open"]`)
      await button.waitFor()
      await filters.getByTestId('input-day').blur()
      await screenshot(page, 'booking-window')
      await button.click()

      const confirm = page.getByTestId('booking-confirm')
      await confirm.waitFor()
      assert.equal((await confirm.getByTestId('facts-patient').textContent())?.trim(), patient.name)
      assert.equal((await confirm.getByTestId('facts-channel').textContent())?.trim(), '窗口')
      // The first answer is lost on the way back (the server did book): the
      // retry sends the same Idempotency-Key and gets the same appointment.
      /** @type {string[]} */
      const keys = []
      await page.route(
        (url) => url.pathname === '/api/v1/appointments',
        async (route) => {
          keys.push(route.request().headers()['idempotency-key'] ?? '')
          await route.fetch()
          await route.abort('connectionreset')
        },
        { times: 1 },
      )
      await confirm.getByTestId('booking-submit').click()
      await confirm.getByTestId('booking-error').waitFor()
      const booked = await expectCall(page, isBooking, 'POST', () => confirm.getByTestId('booking-submit').click())
      assert.equal(booked.status(), 201, await booked.text())
      assert.match(keys[0] ?? '', UUID_PATTERN)
      assert.equal(booked.request().headers()['idempotency-key'], keys[0])
      assert.equal(booked.headers()['idempotent-replayed'], 'true')
      assert.equal(JSON.parse(booked.request().postData() ?? '{}').channel, 'window')
      const appointment = await booked.json()
      assert.equal(appointment.channel, 'window')

      // The ticket number, and the appointment in her list below.
      const done = page.getByTestId('booking-done')
      assert.equal((await done.getByTestId('ticket-no').textContent())?.trim(), String(appointment.ticket_no))
      const row = list.locator(`[data-testid="appointment"][data-id="${appointment.id}"][data-status="booked"]`)
      await row.waitFor()
      assert.ok((await row.getByTestId('appointment-ticket').textContent())?.includes(String(appointment.ticket_no)))
      assert.equal(await list.locator('[data-testid="appointment"]').count(), 1, 'the retry booked once')

      // The same doctor and session again: refused, and the reason is shown.
      if (sameSession) {
        await done.getByTestId('book-another').click()
        await picker.locator(`[data-testid="slot"][data-slot-id="${sameSession.id}"][data-state="open"]`).click()
        const refused = await expectCall(page, isBooking, 'POST', () =>
          page.getByTestId('booking-confirm').getByTestId('booking-submit').click(),
        )
        assert.equal(refused.status(), 409)
        assert.equal((await refused.json()).code, 'limit_reached')
        await page.getByTestId('booking-error').waitFor()
        await page.getByTestId('booking-back').click()
        await picker.waitFor()
      }

      // Back on her record, the appointment is listed there too.
      await page.getByTestId('back-to-patient').click()
      await page.waitForURL(`**/patients/${patient.id}`)
      await list.locator(`[data-testid="appointment"][data-id="${appointment.id}"]`).waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
