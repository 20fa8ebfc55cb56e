// Reports: the lab report the demo LIS sent for the demo mother's child waits
// for a signature; the doctor opens it from "Reports to sign" (the abnormal
// value marked), signs it with her UKEY PIN, and the mother then reads it on
// her phone: the abnormal value highlighted with an arrow and a word (not
// colour alone), and the signature shown as verified with the signer.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { PHONE, apiCall, launchBrowser, openPage, screenshot, scrollsSideways, signInAs, staffToken } from './lib.mjs'
import { DEMO_MOTHER_PHONE, DEMO_PIN, portalSessionFor } from './clinical-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/** The demo mother's children's ids, as the window sees them. */
async function demoChildren() {
  const clerk = await staffToken('clerk')
  const found = await apiCall('GET', `/api/v1/patients?q=${DEMO_MOTHER_PHONE}`, { token: clerk })
  assert.equal(found.status, 200, JSON.stringify(found.json))
  const mother = found.json.items[0]
  assert.ok(mother, 'the demo mother is registered')
  const family = await apiCall('GET', `/api/v1/patients/${mother.id}/family`, { token: clerk })
  assert.equal(family.status, 200, JSON.stringify(family.json))
  return /** @type {number[]} */ (family.json.children.map((/** @type {{id: number}} */ c) => c.id))
}

describe('clinical reports', () => {
  test('the doctor signs the demo child’s lab report and the mother reads it on her phone, verified', async () => {
    const children = await demoChildren()
    const doctorToken = await staffToken('doctor')
    const pending = await apiCall('GET', '/api/v1/documents/pending-reports', { token: doctorToken })
    assert.equal(pending.status, 200, JSON.stringify(pending.json))
    /** @type {any[]} */
    const reports = pending.json.documents
    const report = reports.find((d) => children.includes(d.patient.id))
    assert.ok(report, 'seed-demo leaves a lab report of the demo mother’s child to sign')
    assert.ok(report.abnormal_count > 0, 'the demo report has an abnormal value')

    const doctor = await openPage(browser)
    try {
      const { page } = doctor
      await signInAs(page, 'doctor')
      await page.getByTestId('nav').locator('[data-nav="reports"]').click()
      const row = page.getByTestId('pending-list').locator(`[data-testid="doc-row"][data-id="${report.id}"]`)
      await row.waitFor()
      await screenshot(page, 'clinical-pending-reports')
      await row.locator('[data-action="open"]').click()
      await page.locator('[data-testid="result-row"][data-abnormal="true"]').first().waitFor()
      await page.getByTestId('sign').click()
      const dialog = page.getByTestId('pin-dialog')
      await dialog.getByTestId('input-pin').fill(DEMO_PIN)
      await dialog.getByTestId('pin-submit').click()
      await page.locator('[data-testid="doc-status"][data-status="signed"]').waitFor()
      await page.locator('[data-testid="verify-panel"][data-valid="true"]').waitFor()
      assert.deepEqual(doctor.errors, [])
    } finally {
      await doctor.context.close()
    }
    const me = await apiCall('GET', '/api/v1/auth/me', { token: doctorToken })
    const signerName = me.json.display_name

    const phone = await openPage(browser, PHONE)
    try {
      const { page, context } = phone
      await portalSessionFor(context)
      await page.goto('/portal/reports')
      await page.getByTestId('portal-reports-title').waitFor()
      await page.getByTestId('member-switch').locator(`[data-patient-id="${report.patient.id}"]`).click()
      const card = page.locator(`[data-testid="portal-doc"][data-id="${report.id}"]`)
      await card.waitFor()
      assert.match((await card.getByTestId('portal-doc-abnormal').textContent()) ?? '', /异常/)
      await screenshot(page, 'clinical-portal-reports')
      await card.click()

      const abnormal = page.locator('[data-testid="result-row"][data-abnormal="true"]').first()
      await abnormal.waitFor()
      // Not colour alone: an arrow and a word, besides the colour.
      assert.match((await abnormal.getByTestId('result-flag').textContent()) ?? '', /[↑↓!] (偏低|偏高|异常)/)
      const colour = await abnormal.getByTestId('result-value').evaluate((el) => getComputedStyle(el).color)
      assert.notEqual(colour, 'rgb(31, 35, 40)', 'the abnormal value is coloured')
      const normal = page.locator('[data-testid="result-row"][data-abnormal="false"]')
      if ((await normal.count()) > 0) assert.equal((await normal.first().getAttribute('class')) ?? '', '')

      const panel = page.locator('[data-testid="verify-panel"][data-valid="true"]')
      await panel.waitFor()
      assert.equal((await panel.getByTestId('verify-signer').first().textContent())?.trim(), signerName)
      assert.equal(await scrollsSideways(page), false, 'the report fits the phone')
      await screenshot(page, 'clinical-portal-report')
      assert.deepEqual(phone.errors, [])
    } finally {
      await phone.context.close()
    }
  })
})
