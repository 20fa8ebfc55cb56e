// Schedules (admin): a template refused for capacity 0 with the error beside
// the field, then added; sessions generated with their counts; the slot
// board showing how full the new session is once a patient has booked it;
// and stopping that session, which reports the one patient it touched.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  addDays,
  apiCall,
  hospitalToday,
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
 * ISO weekday (1 Monday … 7 Sunday) of a YYYY-MM-DD day.
 * @param {string} day
 */
function isoWeekday(day) {
  return ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1
}

const isTemplates = (/** @type {string} */ path) => path === '/api/v1/schedule-templates'

describe('schedule manager', () => {
  test('admin adds a template after a capacity error, generates sessions, sees the fill on the slot board, and stops the session', async () => {
    // An evening clinic tomorrow for an obstetrics attending: nothing else
    // sits then, and it is always in the future whenever the test runs.
    const { json: directory } = await apiCall('GET', '/api/v1/directory')
    const doctor = directory.practitioners.find(
      (/** @type {{department_code: string, title: string}} */ p) => p.department_code === 'OB' && p.title === 'attending',
    )
    assert.ok(doctor, 'the demo directory has an obstetrics attending')
    const today = hospitalToday()
    const tomorrow = addDays(today, 1)

    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'admin')
      await page.getByTestId('nav').locator('[data-nav="schedules"]').click()
      await page.getByTestId('templates-table').locator('[data-testid="template-row"]').first().waitFor()

      // 1. Capacity 0: the server's message shows beside the field.
      const form = page.getByTestId('template-form')
      await form.getByTestId('select-clinic_code').selectOption('OB-GEN')
      await form.getByTestId('select-practitioner_id').selectOption(String(doctor.id))
      await form.getByTestId('select-weekday').selectOption(String(isoWeekday(tomorrow)))
      await form.getByTestId('select-period').selectOption('evening')
      await form.getByTestId('input-start').fill('18:00')
      await form.getByTestId('input-end').fill('20:00')
      await form.getByTestId('input-slot_minutes').fill('30')
      await form.getByTestId('input-capacity_per_slot').fill('0')
      await form.getByTestId('input-release_days_ahead').fill('14')
      const bad = await expectCall(page, isTemplates, 'POST', () => form.getByTestId('template-submit').click())
      assert.equal(bad.status(), 400)
      const problem = await bad.json()
      const capacityError = problem.errors.find(
        (/** @type {{field: string}} */ e) => e.field === 'capacity_per_slot',
      )
      assert.ok(capacityError, `the server names capacity_per_slot: ${JSON.stringify(problem.errors)}`)
      const shown = form.getByTestId('field-error-capacity_per_slot')
      await shown.waitFor()
      assert.ok((await shown.textContent())?.includes(capacityError.message))
      assert.equal(await form.getByTestId('input-capacity_per_slot').getAttribute('aria-invalid'), 'true')

      // 2. Four per slot: added and listed.
      await form.getByTestId('input-capacity_per_slot').fill('4')
      const created = await expectCall(page, isTemplates, 'POST', () => form.getByTestId('template-submit').click())
      assert.equal(created.status(), 201, await created.text())
      const template = await created.json()
      await page.getByTestId('flash').waitFor()
      await page.locator(`[data-testid="template-row"][data-id="${template.id}"]`).waitFor()
      assert.equal(await form.getByTestId('field-error-capacity_per_slot').count(), 0)

      // 3. Generate a week: one new session (the demo's were generated at seeding).
      const generate = page.getByTestId('generate-form')
      await generate.getByTestId('input-from').fill(today)
      await generate.getByTestId('input-days').fill('7')
      const ran = await expectCall(page, (p) => p === '/api/v1/clinic-sessions/generate', 'POST', () =>
        generate.getByTestId('generate-submit').click(),
      )
      assert.equal(ran.status(), 200, await ran.text())
      const report = await ran.json()
      assert.equal(report.sessions_created, 1)
      assert.equal(report.slots_created, 4)
      assert.equal(report.tickets_created, 16)
      const result = page.getByTestId('generate-result')
      await result.waitFor()
      assert.equal((await result.getByTestId('generated-sessions').textContent())?.trim(), '1')
      assert.equal((await result.getByTestId('generated-slots').textContent())?.trim(), '4')
      assert.equal((await result.getByTestId('generated-tickets').textContent())?.trim(), '16')

      // The sessions list (and stopping a clinic) needs GET /clinic-sessions;
      // on a server without it yet, the page says so.
      const admin = await staffToken('admin')
      const listed = await apiCall('GET', `/api/v1/clinic-sessions?from=${tomorrow}&to=${tomorrow}`, { token: admin })
      const hasSessions = listed.status !== 404
      if (hasSessions) await page.getByTestId('sessions-table').waitFor()
      else await page.getByTestId('sessions-unavailable').waitFor()
      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'schedule-manager')

      // A patient books the new session at the window.
      const clerk = await staffToken('clerk')
      const patient = await registerPatient(clerk)
      const { json: found } = await apiCall(
        'GET',
        `/api/v1/slots?doctor=${doctor.id}&from=${tomorrow}&to=${tomorrow}&period=evening&channel=window&available=true`,
      )
      const slot = found.items[0]
      assert.ok(slot, 'the new session has a slot the window may book')
      const booked = await apiCall('POST', '/api/v1/appointments', {
        token: clerk,
        headers: { 'Idempotency-Key': `e2e-${Date.now()}` },
        body: { patient_id: patient.id, slot_id: slot.id, channel: 'window' },
      })
      assert.equal(booked.status, 201, JSON.stringify(booked.json))

      // 4. The slot board for tomorrow: the new session, 1 of 16 booked.
      await page.getByTestId('nav').locator('[data-nav="board"]').click()
      await page.locator('[data-testid="board-total"][data-loaded="true"]').waitFor()
      await page.getByTestId('input-day').fill(tomorrow)
      await page.locator(`[data-testid="board-total"][data-day="${tomorrow}"][data-loaded="true"]`).waitFor()
      const row = page.locator(`[data-testid="board-session"][data-session-id="${slot.session_id}"]`)
      await row.waitFor()
      assert.equal(await row.getAttribute('data-booked'), '1')
      assert.equal(await row.getAttribute('data-capacity'), '16')
      assert.equal((await row.getByTestId('fill-text').textContent())?.trim(), '1/16')
      const department = page.locator('[data-testid="board-department"][data-code="OB"]')
      assert.ok((await department.locator('[data-testid="board-session"]').count()) >= 1)

      // For the picture: the busiest day of the coming week.
      const { json: week } = await apiCall('GET', `/api/v1/slots?from=${today}&to=${addDays(today, 6)}`)
      /** @type {Record<string, number>} */
      const perDay = {}
      for (const s of week.items) perDay[s.day] = (perDay[s.day] ?? 0) + 1
      const busiest = Object.entries(perDay).sort((a, b) => b[1] - a[1])[0]?.[0] ?? tomorrow
      await page.getByTestId('input-day').fill(busiest)
      await page.getByTestId('input-day').blur()
      await page.locator(`[data-testid="board-total"][data-day="${busiest}"][data-loaded="true"]`).waitFor()
      await screenshot(page, 'slot-board')

      // 5. Stopping the session: a reason, a confirmation, and how many patients it touched.
      if (hasSessions) {
        await page.getByTestId('nav').locator('[data-nav="schedules"]').click()
        const session = page.locator(`[data-testid="session-row"][data-id="${slot.session_id}"][data-status="open"]`)
        await session.locator('[data-action="stop"]').click()
        const dialog = page.getByTestId('stop-dialog')
        await dialog.getByTestId('stop-submit').click()
        await dialog.getByTestId('field-error-reason').waitFor()
        await dialog.getByTestId('input-reason').fill('医生外出会诊')
        await dialog.getByTestId('stop-submit').click()
        const confirm = page.getByTestId('confirm-dialog')
        await confirm.waitFor()
        const stopped = await expectCall(page, (p) => p === `/api/v1/clinic-sessions/${slot.session_id}/stop`, 'POST', () =>
          confirm.getByTestId('confirm-ok').click(),
        )
        assert.equal(stopped.status(), 200, await stopped.text())
        assert.equal((await stopped.json()).affected.length, 1)
        await page.locator('[data-testid="stop-affected"][data-count="1"]').waitFor()
        await page.locator(`[data-testid="session-row"][data-id="${slot.session_id}"][data-status="stopped"]`).waitFor()
      }
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
