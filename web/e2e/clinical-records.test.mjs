// The doctor's records and prescriptions: she finds the patient, writes an
// outpatient record, a wrong UKEY PIN is refused with the tries left, the
// right one signs it; a correction is a new version that supersedes it; the
// printed page's QR address opens the public verify page (valid, and "a newer
// version exists" for the old one). A prescription with a dose of zero is
// refused naming the field; signed, the pharmacist approves it with her PIN
// and dispenses it. A patient outside her care needs a break-glass reason.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { apiCall, launchBrowser, openPage, registerPatient, screenshot, signInAs, staffToken } from './lib.mjs'
import { DEMO_PIN, patientInCare, verifyPathIn } from './clinical-lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

/**
 * Opens "Records" and finds the patient by her card number.
 * @param {import('playwright-core').Page} page
 * @param {{ id: number, card_no: string }} patient
 */
async function openPatient(page, patient) {
  await page.getByTestId('nav').locator('[data-nav="records"]').click()
  await page.getByTestId('page-title').waitFor()
  await page.getByTestId('find-input').fill(patient.card_no)
  await page.getByTestId('find-submit').click()
  await page.waitForURL((url) => url.searchParams.get('patient') === String(patient.id))
}

/**
 * Signs the open document in the PIN dialog.
 * @param {import('playwright-core').Page} page
 * @param {string} pin
 */
async function enterPin(page, pin) {
  const dialog = page.getByTestId('pin-dialog')
  await dialog.getByTestId('input-pin').fill(pin)
  await dialog.getByTestId('pin-submit').click()
}

/** @param {import('playwright-core').Page} page */
function documentId(page) {
  const id = /\/documents\/(\d+)/.exec(page.url())?.[1]
  assert.ok(id, `a document page: ${page.url()}`)
  return Number(id)
}

describe('clinical records', () => {
  test('the doctor writes and signs a record (wrong PIN first), corrects it, and the printed QR verifies', async () => {
    const patient = await patientInCare()
    /** @type {{ id: number, code: string, path: string } | undefined} */
    let printed
    const { context, page, errors } = await openPage(browser)
    try {
      await signInAs(page, 'doctor')
      await openPatient(page, patient)
      // The lab report she signed for this patient is listed.
      await page.locator('[data-testid="doc-row"][data-kind="lab_report"][data-status="signed"]').waitFor()

      await page.getByTestId('new-record').click()
      await page.getByTestId('record-editor').waitFor()
      await page.getByTestId('input-complaint').fill('孕 28 周，口渴多饮一周')
      await page.getByTestId('input-history').fill('OGTT 1 小时血糖 10.6 mmol/L')
      await page.getByTestId('input-examination').fill('血压 118/76 mmHg，宫高 27 cm')
      await page.getByTestId('input-diagnoses.0.code').fill('o24.4')
      await page.getByTestId('input-diagnoses.0.text').fill('妊娠期糖尿病')
      await page.getByTestId('add-diagnosis').click()
      await page.getByTestId('input-diagnoses.1.code').fill('Z34.0')
      await page.getByTestId('input-diagnoses.1.text').fill('正常首次妊娠监督')
      await page.getByTestId('input-plan').fill('饮食控制，监测血糖，两周后复诊')
      await screenshot(page, 'clinical-record-editor')

      // Sign saves the draft first, then asks for the PIN.
      await page.getByTestId('sign').click()
      await page.waitForURL(/\/documents\/\d+$/)
      const firstId = documentId(page)
      await enterPin(page, '000000')
      const pinError = page.getByTestId('pin-error')
      await pinError.waitFor()
      assert.match((await pinError.textContent()) ?? '', /PIN 码错误，还可尝试 \d+ 次/)
      await enterPin(page, DEMO_PIN)
      await page.getByTestId('pin-dialog').getByTestId('input-pin').waitFor({ state: 'detached' })
      await page.locator('[data-testid="doc-status"][data-status="signed"]').waitFor()
      assert.match((await page.getByTestId('view-diagnoses').textContent()) ?? '', /O24\.4/)
      await page.locator('[data-testid="verify-panel"][data-valid="true"]').waitFor()

      // Print: the server's page in a new window, carrying the verify address.
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('print').click()])
      await popup.waitForURL(/^blob:/)
      await popup.waitForLoadState()
      printed = verifyPathIn(await popup.content())
      assert.equal(printed.id, firstId)
      await popup.close()

      // A correction: a new draft, version 2, that replaces the first once signed.
      await page.getByTestId('revise').click()
      await page.waitForURL((url) => url.pathname !== `/documents/${firstId}`)
      const secondId = documentId(page)
      assert.notEqual(secondId, firstId)
      await page.locator('[data-testid="doc-facts"][data-version="2"]').waitFor()
      assert.equal(await page.getByTestId('input-complaint').inputValue(), '孕 28 周，口渴多饮一周')
      await page.getByTestId('input-plan').fill('饮食控制，每日监测血糖四次，一周后复诊')
      await page.getByTestId('sign').click()
      await enterPin(page, DEMO_PIN)
      await page.locator('[data-testid="doc-status"][data-status="signed"]').waitFor()
      await page.getByTestId('replaces-link').click()
      await page.waitForURL(`**/documents/${firstId}`)
      await page.getByTestId('superseded').waitFor()
      await page.getByTestId('superseded-link').click()
      await page.waitForURL(`**/documents/${secondId}`)
      await screenshot(page, 'clinical-record-signed')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }

    // The paper's QR, opened by anyone: valid, and the old version says a newer one exists.
    const anyone = await openPage(browser)
    try {
      const doctor = await staffToken('doctor')
      const list = await apiCall('GET', `/api/v1/documents?patient_id=${patient.id}&kind=record`, { token: doctor })
      assert.equal(list.status, 200, JSON.stringify(list.json))
      /** @type {any[]} */
      const records = list.json.documents
      const current = records.find((d) => d.version === 2)
      assert.ok(current?.verify_code, 'a signed document carries its verify code')
      assert.ok(printed)

      await anyone.page.goto(`/verify/${current.id}?code=${current.verify_code}`)
      await anyone.page.locator('[data-testid="verify-result"][data-valid="true"]').waitFor()
      assert.equal(await anyone.page.getByTestId('verify-superseded').count(), 0)
      assert.match((await anyone.page.getByTestId('verify-patient').textContent()) ?? '', /\*/)
      await screenshot(anyone.page, 'clinical-public-verify')

      // The first version's paper: still valid, and a newer version exists.
      await anyone.page.goto(printed.path)
      await anyone.page.locator('[data-testid="verify-result"][data-valid="true"]').waitFor()
      await anyone.page.getByTestId('verify-superseded').waitFor()

      await anyone.page.goto(`/verify/${printed.id}?code=X${printed.code}`)
      await anyone.page.locator('[data-testid="verify-result"][data-valid="not_found"]').waitFor()
      assert.deepEqual(anyone.errors, [])
    } finally {
      await anyone.context.close()
    }
  })

  test('a prescription: dose zero is refused naming the field; signed, the pharmacist approves it with her PIN and dispenses it', async () => {
    const patient = await patientInCare()
    const doctorPage = await openPage(browser)
    let rxId = 0
    try {
      const { page } = doctorPage
      await signInAs(page, 'doctor')
      await openPatient(page, patient)
      await page.getByTestId('new-prescription').click()
      await page.getByTestId('rx-editor').waitFor()
      const fields = {
        drug: '琥珀酸亚铁片',
        strength: '0.1 g',
        dose: '0',
        dose_unit: 'g',
        route: '口服',
        frequency: '每日三次',
        days: '14',
        quantity: '42',
        unit: '片',
      }
      for (const [field, value] of Object.entries(fields)) await page.getByTestId(`input-items.0.${field}`).fill(value)
      await page.getByTestId('save-draft').click()
      await page.getByTestId('field-error-items.0.dose').waitFor()
      assert.equal(await page.getByTestId('pin-dialog').locator('input').count(), 0, 'no PIN asked for a refused draft')

      await page.getByTestId('input-items.0.dose').fill('0.1')
      await page.getByTestId('sign').click()
      await page.waitForURL(/\/documents\/\d+$/)
      rxId = documentId(page)
      await enterPin(page, DEMO_PIN)
      await page.locator('[data-testid="doc-status"][data-status="signed"]').waitFor()
      await page.locator('[data-testid="doc-review"][data-review="pending"]').waitFor()
      assert.deepEqual(doctorPage.errors, [])
    } finally {
      await doctorPage.context.close()
    }

    const pharmacist = await openPage(browser)
    try {
      const { page } = pharmacist
      await signInAs(page, 'pharmacist')
      await page.getByTestId('nav').locator('[data-nav="review"]').click()
      const row = page.getByTestId('review-list').locator(`[data-testid="doc-row"][data-id="${rxId}"]`)
      await row.waitFor()
      await screenshot(page, 'clinical-review-queue')
      await row.locator('[data-action="open"]').click()
      await page.locator('[data-testid="verify-panel"][data-valid="true"]').waitFor()
      await page.getByTestId('approve').click()
      await enterPin(page, DEMO_PIN)
      await page.locator('[data-testid="doc-review"][data-review="approved"]').waitFor()
      await page.getByTestId('dispense').click()
      await page.getByTestId('doc-dispensed').waitFor()
      // The doctor's and the pharmacist's signatures both verify.
      await page.locator('[data-testid="verify-panel"][data-valid="true"]').waitFor()
      await page.getByTestId('verify-signature').nth(1).waitFor()
      await screenshot(page, 'clinical-review')
      assert.deepEqual(pharmacist.errors, [])
    } finally {
      await pharmacist.context.close()
    }
  })

  test('a patient outside her care: the list asks for a break-glass reason, then opens', async () => {
    const clerk = await staffToken('clerk')
    const stranger = await registerPatient(clerk)
    const { context, page, errors } = await openPage(browser)
    try {
      await signInAs(page, 'doctor')
      await openPatient(page, stranger)
      const dialog = page.getByTestId('break-glass-dialog')
      await dialog.getByTestId('reason-submit').waitFor()
      await dialog.getByTestId('reason-submit').click()
      await dialog.getByTestId('reason-error').waitFor()
      await dialog.getByTestId('input-reason').fill('急诊会诊，需查看既往病历')
      await dialog.getByTestId('reason-submit').click()
      await page.getByTestId('break-glass-active').waitFor()
      await page.getByTestId('docs-none').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
