// The window (clerk): search, registration with field errors and duplicate
// warnings, newborns, the family view, the e-card, reveal and merge.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  apiCall,
  launchBrowser,
  loadedWidth,
  openPage,
  randomBirthDate,
  randomName,
  randomPhone,
  residentId,
  screenshot,
  signInAs,
  staffToken,
  withWrongCheck,
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
 * @param {(url: string) => boolean} matches
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

const isPatients = (/** @type {string} */ path) => path === '/api/v1/patients'

/**
 * Signs in as the clerk and opens the patients page from the nav.
 * @param {import('playwright-core').Page} page
 */
async function openWindow(page) {
  await page.goto('/login')
  await signInAs(page, 'clerk')
  await page.getByTestId('nav').locator('[data-nav="patients"]').click()
  await page.getByTestId('register-form').waitFor()
  assert.equal(new URL(page.url()).pathname, '/patients')
}

/**
 * Fills the registration form.
 * @param {import('playwright-core').Locator} form
 * @param {{ name: string, birthDate: string, idNumber: string, phone: string }} person
 */
async function fillRegistration(form, person) {
  await form.getByTestId('input-name').fill(person.name)
  await form.getByTestId('select-sex').selectOption('female')
  await form.getByTestId('input-birth_date').fill(person.birthDate)
  await form.getByTestId('select-id_type').selectOption('resident_id')
  await form.getByTestId('input-id_number').fill(person.idNumber)
  await form.getByTestId('input-phone').fill(person.phone)
}

describe('patients at the window', () => {
  test('clerk registers a mother after a field error, registers her newborn, and shows the family and e-cards', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await openWindow(page)
      const form = page.getByTestId('register-form')
      const birthDate = randomBirthDate()
      const mother = { name: randomName(), birthDate, idNumber: residentId(birthDate, 'female'), phone: randomPhone() }

      // 1. A wrong check character: the server's message shows beside the field.
      await fillRegistration(form, { ...mother, idNumber: withWrongCheck(mother.idNumber) })
      await form.getByTestId('input-address').fill('北京市东城区东长安街 1 号')
      const bad = await expectCall(page, isPatients, 'POST', () => form.getByTestId('register-submit').click())
      assert.equal(bad.status(), 400)
      const problem = await bad.json()
      const idError = problem.errors.find((/** @type {{field: string}} */ e) => e.field === 'id_number')
      assert.ok(idError, `the server names id_number: ${JSON.stringify(problem.errors)}`)
      const shown = form.getByTestId('field-error-id_number')
      await shown.waitFor()
      assert.ok((await shown.textContent())?.includes(idError.message))
      assert.equal(await form.getByTestId('input-id_number').getAttribute('aria-invalid'), 'true')

      // 2. The right number: registered, and her record opens.
      await form.getByTestId('input-id_number').fill(mother.idNumber)
      const created = await expectCall(page, isPatients, 'POST', () => form.getByTestId('register-submit').click())
      assert.equal(created.status(), 201, await created.text())
      const record = await created.json()
      await page.waitForURL(`**/patients/${record.id}`)
      await page.getByTestId('flash').waitFor()
      assert.equal((await page.getByTestId('patient-title').textContent())?.trim(), mother.name)
      // Masked as the server sends it; the clerk may show it in full.
      const idField = page.getByTestId('field-id_number')
      assert.notEqual((await idField.textContent())?.trim(), mother.idNumber)
      await expectCall(page, (p) => p === `/api/v1/patients/${record.id}`, 'GET', () =>
        page.getByTestId('reveal-full').click(),
      )
      await page.getByTestId('revealed-note').waitFor()
      assert.equal((await idField.textContent())?.trim(), mother.idNumber)
      assert.equal((await page.getByTestId('field-phone').textContent())?.trim(), mother.phone)

      // Her e-card: card number, name and a QR code that loaded.
      const card = page.getByTestId('card-panel').getByTestId('ecard')
      assert.ok((await loadedWidth(card.getByTestId('ecard-qr'))) > 0, 'the QR image loaded')
      assert.ok((await card.getByTestId('ecard-card-no').textContent())?.includes(record.card_no))
      assert.equal((await card.getByTestId('ecard-name').textContent())?.trim(), mother.name)

      // Reissuing the card makes a new QR (version 2); the old one stops working.
      await page.getByTestId('reissue-card').click()
      const reissue = page.getByTestId('reissue-dialog')
      await reissue.getByTestId('input-reason').fill('打印件遗失')
      const reissued = await expectCall(page, (p) => p === `/api/v1/patients/${record.id}/card/reissue`, 'POST', () =>
        reissue.getByTestId('reissue-submit').click(),
      )
      assert.equal(reissued.status(), 200, await reissued.text())
      assert.equal((await reissued.json()).version, 2)
      await page.getByTestId('reissue-done').waitFor()
      await card.locator('[data-testid="ecard-qr"][data-version="2"]').waitFor()
      assert.ok((await loadedWidth(card.getByTestId('ecard-qr'))) > 0, 'the new QR image loaded')

      // 3. Her newborn: a temporary identity named after her.
      await page.getByTestId('action-newborn').locator('summary').click()
      const newbornForm = page.getByTestId('newborn-form')
      await newbornForm.getByTestId('input-birth_time').fill('08:30')
      const born = await expectCall(page, (p) => p === `/api/v1/patients/${record.id}/newborns`, 'POST', () =>
        newbornForm.getByTestId('newborn-submit').click(),
      )
      assert.equal(born.status(), 201, await born.text())
      const baby = await born.json()
      assert.equal(baby.name, `${mother.name}之女`)
      assert.equal(baby.temporary_identity, true)

      // 4. The family view lists the baby; her own record links back to the mother.
      const child = page.getByTestId('family-children').locator(`[data-id="${baby.id}"]`)
      await child.waitFor()
      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'patients-card')
      await child.getByRole('link').click()
      await page.waitForURL(`**/patients/${baby.id}`)
      await page.getByTestId('family-guardians').locator(`[data-id="${record.id}"]`).waitFor()
      const babyCard = page.locator(`[data-testid="ecard"][data-patient-id="${baby.id}"]`)
      assert.ok((await loadedWidth(babyCard.getByTestId('ecard-qr'))) > 0, "the baby's QR image loaded")
      await page.getByTestId('action-identity').waitFor()

      // 5. Found again by the phone: mother and baby share it.
      await page.getByTestId('back-to-search').click()
      await page.getByTestId('search-input').fill(mother.phone)
      const found = await expectCall(page, isPatients, 'GET', () => page.getByTestId('search-submit').click())
      assert.equal(found.status(), 200)
      const results = page.getByTestId('search-results')
      await results.locator(`[data-testid="patient-row"][data-id="${record.id}"]`).waitFor()
      await results.locator(`[data-testid="patient-row"][data-id="${baby.id}"]`).waitFor()
      assert.ok(!(await results.textContent())?.includes(mother.idNumber), 'results are masked')
      await screenshot(page, 'patients-window')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('a likely duplicate shows while typing; the clerk registers anyway, then merges the two records', async () => {
    // Someone registered earlier, through the API.
    const token = await staffToken('clerk')
    const birthDate = randomBirthDate()
    const existing = { name: randomName(), birthDate, idNumber: residentId(birthDate, 'female'), phone: randomPhone() }
    const first = await apiCall('POST', '/api/v1/patients', {
      token,
      body: {
        name: existing.name,
        sex: 'female',
        birth_date: existing.birthDate,
        id_type: 'resident_id',
        id_number: existing.idNumber,
        phone: existing.phone,
      },
    })
    assert.equal(first.status, 201, JSON.stringify(first.json))
    const firstId = first.json.id

    const { context, page, errors } = await openPage(browser)
    try {
      await openWindow(page)
      const form = page.getByTestId('register-form')

      // Same name and date of birth: the warning lists the earlier record.
      await form.getByTestId('input-name').fill(existing.name)
      await expectCall(page, (p) => p === '/api/v1/patients/duplicates', 'GET', () =>
        form.getByTestId('input-birth_date').fill(existing.birthDate),
      )
      const warning = form.getByTestId('duplicate-candidates')
      await warning.locator(`[data-testid="patient-row"][data-id="${firstId}"]`).waitFor()
      assert.equal(await warning.getAttribute('data-blocked'), 'false')

      // The same document: refused, with a way to open the record that has it.
      await fillRegistration(form, existing)
      const taken = await expectCall(page, isPatients, 'POST', () => form.getByTestId('register-submit').click())
      assert.equal(taken.status(), 409)
      assert.equal((await taken.json()).code, 'document_registered')
      await form.getByTestId('field-error-id_number').waitFor()
      await form.getByTestId('open-existing').waitFor()

      // Another document: the server asks to confirm; "someone else" registers.
      const second = { ...existing, idNumber: residentId(existing.birthDate, 'female'), phone: randomPhone() }
      await form.getByTestId('input-id_number').fill(second.idNumber)
      await form.getByTestId('input-phone').fill(second.phone)
      const dup = await expectCall(page, isPatients, 'POST', () => form.getByTestId('register-submit').click())
      assert.equal(dup.status(), 409)
      const problem = await dup.json()
      assert.equal(problem.code, 'likely_duplicate')
      assert.ok(problem.candidates.some((/** @type {{id: number}} */ c) => c.id === firstId))
      await page.locator('[data-testid="duplicate-candidates"][data-blocked="true"]').waitFor()
      const confirmed = await expectCall(page, isPatients, 'POST', () =>
        page.getByTestId('confirm-not-duplicate').click(),
      )
      assert.equal(confirmed.status(), 201, await confirmed.text())
      assert.equal(JSON.parse(confirmed.request().postData() ?? '{}').confirmed_not_duplicate, true)
      const secondId = (await confirmed.json()).id
      await page.waitForURL(`**/patients/${secondId}`)

      // It was the same person after all: merge the new record into the first.
      await page.goto(`/patients/${firstId}`)
      await page.getByTestId('action-merge').locator('summary').click()
      const merge = page.getByTestId('merge-form')
      await merge.getByTestId('input-reason').fill('同一人重复建档')
      await merge.getByTestId('picker-input').fill(second.phone)
      await expectCall(page, isPatients, 'GET', () => merge.getByTestId('picker-search').click())
      await merge.locator(`[data-testid="patient-row"][data-id="${secondId}"] [data-action="choose"]`).click()
      const dialog = page.getByTestId('confirm-dialog')
      await dialog.waitFor()
      const merged = await expectCall(page, (p) => p === `/api/v1/patients/${firstId}/merge`, 'POST', () =>
        dialog.getByTestId('confirm-ok').click(),
      )
      assert.equal(merged.status(), 200, await merged.text())
      await page.getByTestId('flash').waitFor()

      // The merged record points to the survivor.
      await page.goto(`/patients/${secondId}`)
      await page.getByTestId('merged-notice').waitFor()
      await page.getByTestId('open-survivor').click()
      await page.waitForURL(`**/patients/${firstId}`)
      await page.getByTestId('patient-fields').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('a triage nurse finds patients but gets no clerk-only controls', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'triage_nurse')
      await page.getByTestId('nav').locator('[data-nav="patients"]').click()
      // The demo mother.
      await page.getByTestId('search-input').fill('13800138000')
      await expectCall(page, isPatients, 'GET', () => page.getByTestId('search-submit').click())
      const row = page.getByTestId('search-results').locator('[data-testid="patient-row"]').first()
      await row.locator('[data-action="open"]').click()
      await page.getByTestId('patient-fields').waitFor()
      assert.ok((await loadedWidth(page.getByTestId('ecard-qr'))) > 0)
      assert.equal(await page.getByTestId('reveal-full').count(), 0)
      assert.equal(await page.getByTestId('reissue-card').count(), 0)
      assert.equal(await page.getByTestId('action-merge').count(), 0)
      await page.getByTestId('action-newborn').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
