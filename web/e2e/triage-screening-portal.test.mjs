// The gate screening on the patient's phone before she comes: a mother
// fills it in for her four-year-old son (the children's question is asked
// of him, not of her), with the 38.5 °C she measured at home, and sees at
// once, large and marked, that he goes to the paediatric fever clinic. A
// temperature out of range is named beside its field; a questionnaire the
// hospital replaced while she was filling it in is reloaded and sent again.
// At the gate the nurse scans the boy's e-card and finds it filled in.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  PHONE,
  apiCall,
  launchBrowser,
  openPage,
  portalSignIn,
  rootFontSize,
  screenshot,
  scrollsSideways,
  signInAs,
  staffToken,
} from './lib.mjs'
import { motherAndChild, scanAtGate } from './triage-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/** Puts out the active questionnaire again, unchanged, as a new version (as an admin would during an epidemic). */
async function republishQuestionnaire() {
  const admin = await staffToken('admin')
  const active = await apiCall('GET', '/api/v1/triage/screening/questionnaire', { token: admin })
  assert.equal(active.status, 200, JSON.stringify(active.json))
  const next = await apiCall('PUT', '/api/v1/triage/screening/questionnaire', { token: admin, body: active.json })
  assert.equal(next.status, 201, JSON.stringify(next.json))
  assert.equal(next.json.version, active.json.version + 1)
  return /** @type {number} */ (next.json.version)
}

describe('triage screening on the phone', () => {
  test('a mother screens her feverish child before coming, and the gate finds it filled in', async () => {
    const { phone, mother, child } = await motherAndChild({ childAgeYears: 4 })

    const { context, page, errors } = await openPage(browser, PHONE)
    try {
      await portalSignIn(page, phone)
      await page.getByTestId('portal-nav').locator('[data-nav="portal-screening"]').tap()
      await page.getByTestId('portal-screening-title').waitFor()
      const form = page.getByTestId('screening-form')

      // For herself: no question about a child's rash.
      await page.locator(`[data-testid="screening-member"][data-id="${mother.id}"]`).tap()
      await page.locator(`[data-testid="screening-for"][data-patient-id="${mother.id}"]`).waitFor()
      await form.locator('[data-testid="question"][data-id="fever_14d"]').waitFor()
      assert.equal(await form.locator('[data-testid="question"][data-id="rash"]').count(), 0)

      // For her son: the rash question too.
      await page.locator(`[data-testid="screening-member"][data-id="${child.id}"]`).tap()
      await page.locator(`[data-testid="screening-for"][data-patient-id="${child.id}"]`).waitFor()
      await form.locator('[data-testid="question"][data-id="rash"]').waitFor()
      await page.getByTestId('screening-records-none').waitFor()
      const loadedVersion = Number(await form.getByTestId('questionnaire-version').getAttribute('data-version'))
      for (const id of ['fever_14d', 'respiratory', 'contact_case', 'outbreak_travel', 'rash']) {
        await form.getByTestId(`answer-${id}-no`).check()
      }

      // A temperature no thermometer gives: refused beside the field.
      await form.getByTestId('input-temperature_c').fill('50')
      await form.getByTestId('screening-submit').tap()
      await form.getByTestId('field-error-temperature_c').waitFor()

      // Meanwhile the hospital puts out a new version: the page reloads the
      // questions, keeps her answers, and she sends again.
      const version = await republishQuestionnaire()
      assert.ok(version > loadedVersion)
      await form.getByTestId('input-temperature_c').fill('38.5')
      await form.getByTestId('screening-submit').tap()
      await form.locator(`[data-testid="questionnaire-version"][data-version="${version}"]`).waitFor()
      await form.getByTestId('screening-error').waitFor()
      assert.equal(await form.getByTestId('answer-rash-no').isChecked(), true)
      await form.getByTestId('screening-submit').tap()

      // Where to go, large and marked as an alert.
      const route = page.locator('[data-testid="screening-route"][data-route="paediatric_fever"]')
      await route.waitFor()
      assert.ok(await route.evaluate((el) => el.classList.contains('route-alert')))
      assert.equal((await route.getByTestId('route-name').textContent())?.trim(), '儿科发热门诊')
      assert.ok(((await route.getByTestId('route-instruction').textContent()) ?? '').includes('儿科发热门诊'))
      await page.locator('[data-testid="screening-record"][data-route="paediatric_fever"]').waitFor()
      assert.equal(await page.getByTestId('screening-record').count(), 1)
      await screenshot(page, 'triage-screening')

      // Stored as hers, from the phone, with the self-measured temperature.
      const today = await apiCall('GET', `/api/v1/patients/${child.id}/screenings`, {
        token: await staffToken('triage_nurse'),
      })
      const records = today.json.items
      assert.equal(records.length, 1)
      assert.equal(records[0].channel, 'self')
      assert.equal(records[0].temperature_source, 'self')
      assert.equal(records[0].temperature_c, 38.5)
      assert.equal(records[0].questionnaire_version, version)

      // In English, and in large text, still on the screen.
      await page.getByTestId('lang-en').tap()
      await route.getByTestId('route-name').getByText('Paediatric fever clinic').waitFor()
      const normal = await rootFontSize(page)
      await page.getByTestId('large-text-toggle').tap()
      await page.waitForFunction(() => document.documentElement.classList.contains('large-text'))
      assert.ok((await rootFontSize(page)) > normal)
      assert.equal(await scrollsSideways(page), false, 'the screening in large text scrolls sideways')

      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }

    // At the gate: the boy's e-card is scanned and his screening is there.
    const gate = await openPage(browser, { viewport: { width: 1280, height: 1000 } })
    try {
      await gate.page.goto('/login')
      await signInAs(gate.page, 'triage_nurse')
      await gate.page.getByTestId('nav').locator('[data-nav="gate"]').click()
      await gate.page.getByTestId('page-title').waitFor()
      await scanAtGate(gate.page, child.card_no)
      await gate.page.getByTestId('gate-prefilled').waitFor()
      await gate.page.locator('[data-testid="screening-route"][data-route="paediatric_fever"]').waitFor()
      assert.equal(await gate.page.getByTestId('screening-form').count(), 0)
      assert.deepEqual(gate.errors, [])
    } finally {
      await gate.context.close()
    }
  })
})
