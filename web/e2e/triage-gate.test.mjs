// The gate screening desk: the nurse scans a patient, asks the questions,
// and sends her on to her clinic; the temperature she then measures (fever)
// re-routes her to the fever clinic. A patient who filled in the screening
// on her phone before coming shows her answers' route at once (isolation
// after contact with a case). Today's list shows both, filterable by route.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  apiCall,
  latestSmsCode,
  launchBrowser,
  openPage,
  randomPhone,
  registerPatient,
  screenshot,
  signInAs,
  staffToken,
} from './lib.mjs'
import { scanAtGate } from './triage-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/**
 * A patient's own token, signed in on the portal API with a texted code.
 * @param {string} phone
 */
async function patientToken(phone) {
  const sent = await apiCall('POST', '/api/v1/portal/otp', { body: { phone, phone_foreign: false } })
  assert.equal(sent.status < 300, true, JSON.stringify(sent.json))
  const login = await apiCall('POST', '/api/v1/portal/login', { body: { phone, code: await latestSmsCode(phone) } })
  assert.equal(login.status, 200, JSON.stringify(login.json))
  return /** @type {string} */ (login.json.token)
}

describe('triage gate', () => {
  test('the nurse screens a patient, a measured fever re-routes her, and a phone pre-filled screening shows its route', async () => {
    const clerk = await staffToken('clerk')
    const walkIn = await registerPatient(clerk)
    const phone = randomPhone()
    const prefilled = await registerPatient(clerk, { phone })

    // She answered on her phone before coming: contact with a case.
    const own = await apiCall('POST', `/api/v1/patients/${prefilled.id}/screenings`, {
      token: await patientToken(phone),
      body: { answers: { fever_14d: false, respiratory: false, contact_case: true, outbreak_travel: false } },
    })
    assert.equal(own.status, 201, JSON.stringify(own.json))
    assert.equal(own.json.route, 'isolation')

    const { context, page, errors } = await openPage(browser, { viewport: { width: 1280, height: 1000 } })
    try {
      await page.goto('/login')
      await signInAs(page, 'triage_nurse')
      await page.getByTestId('nav').locator('[data-nav="gate"]').click()
      await page.getByTestId('page-title').waitFor()

      // 1. Asked at the gate: all "no", 36.6 °C: on to her clinic.
      await scanAtGate(page, walkIn.card_no)
      const form = page.getByTestId('screening-form')
      await form.waitFor()
      // An adult is not asked the children's question.
      assert.equal(await form.locator('[data-testid="question"][data-id="rash"]').count(), 0)
      // Unanswered questions are caught before sending.
      await form.getByTestId('screening-submit').click()
      await form.getByTestId('screening-error').waitFor()
      for (const id of ['fever_14d', 'respiratory', 'contact_case', 'outbreak_travel']) {
        await form.getByTestId(`answer-${id}-no`).check()
      }
      await form.getByTestId('input-temperature_c').fill('36.6')
      await form.getByTestId('screening-submit').click()
      await page.locator('[data-testid="screening-route"][data-route="proceed"]').waitFor()
      await page.getByTestId('flash').waitFor()

      // 2. The thermometer says 38.2 °C: the route is evaluated again.
      await page.getByTestId('input-measured').fill('38.2')
      await page.getByTestId('temperature-submit').click()
      const fever = page.locator('[data-testid="screening-route"][data-route="fever_clinic"]')
      await fever.waitFor()
      assert.ok(((await fever.getByTestId('route-instruction').textContent()) ?? '').includes('发热门诊'))
      await page.locator(`[data-testid="gate-row"][data-patient-id="${walkIn.id}"][data-route="fever_clinic"]`).waitFor()
      await screenshot(page, 'triage-gate')

      // 3. The pre-filled one: her route shows as soon as she is scanned.
      await page.getByTestId('gate-another').click()
      await scanAtGate(page, prefilled.card_no)
      await page.getByTestId('gate-prefilled').waitFor()
      await page.locator('[data-testid="screening-route"][data-route="isolation"]').waitFor()
      assert.equal(await page.getByTestId('screening-form').count(), 0)

      // 4. Today's list, filtered to the isolation pathway.
      await page.getByTestId('select-route-filter').selectOption('isolation')
      await page.locator(`[data-testid="gate-row"][data-patient-id="${walkIn.id}"]`).waitFor({ state: 'detached' })
      await page.locator(`[data-testid="gate-row"][data-patient-id="${prefilled.id}"]`).waitFor()
      const routes = await page.getByTestId('gate-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-route')))
      assert.ok(routes.every((r) => r === 'isolation'), JSON.stringify(routes))

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
