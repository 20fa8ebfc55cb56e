// The area triage desk: the nurse picks her area and session, scans the
// patient's card number, checks her in, records vitals: a temperature of
// 60 °C is refused beside the field, 41 °C is accepted with a warning; the
// result shows and she appears in the session's queue with her priority.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { launchBrowser, openPage, screenshot, signInAs } from './lib.mjs'
import { AREAS, bookedPatient, openTodaySession, pickSession } from './triage-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const area = AREAS.desk

/**
 * @param {import('playwright-core').Page} page
 * @param {() => Promise<unknown>} action
 */
async function assessed(page, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/triage/assessments'),
    action(),
  ])
  return response
}

describe('triage desk', () => {
  test('the nurse checks a patient in, a physically impossible vital is refused by name, an implausible one warned, and she joins the queue', async () => {
    const session = await openTodaySession(area)
    const { patient, appointment } = await bookedPatient(session)

    const { context, page, errors } = await openPage(browser, { viewport: { width: 1400, height: 1100 } })
    try {
      await page.goto('/login')
      await signInAs(page, 'triage_nurse')
      await page.getByTestId('nav').locator('[data-nav="triage"]').click()
      await pickSession(page, area.department, session.id)
      await page.locator('[data-testid="live-state"][data-state="open"]').waitFor()
      await page.getByTestId('queue-empty').waitFor()

      // Scan (a scanner types the card number and Enter).
      await page.getByTestId('find-input').fill(patient.card_no)
      await page.getByTestId('find-input').press('Enter')
      const row = page.locator(`[data-testid="desk-appointment"][data-id="${appointment.id}"]`)
      await row.waitFor()
      assert.equal(await row.getAttribute('data-status'), 'booked')

      // Check in: she joins the queue (live) and the vitals form opens.
      await row.getByTestId('check-in').click()
      await page.locator(`[data-testid="desk-appointment"][data-id="${appointment.id}"][data-status="checked_in"]`).waitFor()
      await page.getByTestId('flash').waitFor()
      await page.getByTestId('waiting-list').locator(`[data-patient-id="${patient.id}"]`).waitFor()
      const form = page.getByTestId('assessment-form')
      await form.waitFor()

      // 60 °C: refused, the field named beside the input.
      await form.getByTestId('input-temperature_c').fill('60')
      await form.getByTestId('input-heart_rate').fill('88')
      const refused = await assessed(page, () => form.getByTestId('assessment-submit').click())
      assert.equal(refused.status(), 400, await refused.text())
      const fieldError = form.getByTestId('field-error-temperature_c')
      await fieldError.waitFor()
      assert.equal(await form.getByTestId('input-temperature_c').getAttribute('aria-invalid'), 'true')
      assert.equal(await form.getByTestId('field-error-heart_rate').count(), 0)

      // 41 °C: possible but unusual: accepted, with a warning to measure again.
      await form.getByTestId('input-temperature_c').fill('41')
      await form.getByTestId('input-gestational_week').fill('32')
      await form.getByTestId('input-fetal_heart_rate').fill('150')
      await form.getByTestId('input-respiratory_rate').fill('22')
      await form.getByTestId('input-spo2').fill('96')
      await form.getByTestId('input-systolic_bp').fill('120')
      await form.getByTestId('input-diastolic_bp').fill('80')
      await form.getByTestId('select-consciousness').selectOption('alert')
      const accepted = await assessed(page, () => form.getByTestId('assessment-submit').click())
      assert.equal(accepted.status() < 300, true, await accepted.text())
      const result = page.getByTestId('assessment-result')
      await result.waitFor()
      const warning = result.locator('[data-testid="result-warning"][data-field="temperature_c"]')
      await warning.waitFor()
      assert.equal(await form.getByTestId('field-error-temperature_c').count(), 0)
      // The server's English-only texts show in the page's language: the
      // warning with the value entered, MEOWS triggered (a red temperature),
      // the emergency level by its number.
      assert.equal((await warning.textContent())?.trim(), '体温 41 °C 少见，请复测')
      const level = (await result.getByTestId('result-level').textContent()) ?? ''
      assert.ok(level.includes('已触发预警：需紧急医疗评估'), level)
      const emergency = (await result.getByTestId('result-emergency-level').textContent()) ?? ''
      assert.match(emergency, /非急症：240 分钟内处置|急症：30 分钟内处置/)
      assert.doesNotMatch(emergency, /within/)

      // The queue shows her with her triage level.
      const entry = page.getByTestId('waiting-list').locator(`[data-patient-id="${patient.id}"]`)
      await entry.getByTestId('entry-level').waitFor()
      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'triage-desk')

      // In English the same result reads in English.
      await page.getByTestId('lang-en').click()
      await result.getByText('Temperature 41 °C is unusual: measure again').waitFor()
      assert.ok(((await result.getByTestId('result-level').textContent()) ?? '').includes('Triggered: urgent medical review'))

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
