// The patient portal on a phone: sign-in by text-message code (read from the
// SMS simulator box), her family's e-cards, large text, a wrong code, and
// registering herself.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  apiCall,
  latestSmsCode,
  launchBrowser,
  loadedWidth,
  openPage,
  randomBirthDate,
  randomName,
  randomPhone,
  residentId,
  rootFontSize,
  screenshot,
  scrollsSideways,
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

const PHONE = /** @type {const} */ ({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
})

/**
 * @param {import('playwright-core').Page} page
 * @param {string} path
 * @param {string} method
 * @param {() => Promise<unknown>} action
 */
async function expectCall(page, path, method, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === method),
    action(),
  ])
  return response
}

/**
 * Asks for a code on the sign-in page and waits for the simulator box to show it.
 * @param {import('playwright-core').Page} page
 * @param {string} phone
 */
async function requestCode(page, phone) {
  await page.getByTestId('input-phone').fill(phone)
  const sent = await expectCall(page, '/api/v1/portal/otp', 'POST', () => page.getByTestId('send-code').tap())
  assert.equal(sent.status(), 202, await sent.text())
  const latest = page.getByTestId('sms-inbox').getByTestId('sms-latest')
  await latest.waitFor()
  const code = /\b(\d{6})\b/.exec((await latest.textContent()) ?? '')?.[1]
  assert.ok(code, 'the simulator box shows a 6-digit code')
  return code
}

describe('patient portal', () => {
  test('a mother signs in with a code from the SMS box and sees her and her newborn’s QR codes', async () => {
    // Registered at the window: the mother and her newborn.
    const token = await staffToken('clerk')
    const birthDate = randomBirthDate()
    const phone = randomPhone()
    const name = randomName()
    const mother = await apiCall('POST', '/api/v1/patients', {
      token,
      body: {
        name,
        sex: 'female',
        birth_date: birthDate,
        id_type: 'resident_id',
        id_number: residentId(birthDate, 'female'),
        phone,
      },
    })
    assert.equal(mother.status, 201, JSON.stringify(mother.json))
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    const baby = await apiCall('POST', `/api/v1/patients/${mother.json.id}/newborns`, {
      token,
      body: { sex: 'male', birth_date: today, birth_time: '06:15' },
    })
    assert.equal(baby.status, 201, JSON.stringify(baby.json))

    const { context, page, errors } = await openPage(browser, PHONE)
    try {
      // From the staff sign-in page to the portal.
      await page.goto('/login')
      await page.getByTestId('portal-link').tap()
      await page.getByTestId('portal-login-form').waitFor()
      assert.equal(new URL(page.url()).pathname, '/portal/login')
      assert.equal(await scrollsSideways(page), false, 'portal sign-in scrolls sideways')

      const code = await requestCode(page, phone)
      await page.getByTestId('code-sent').waitFor()
      // The send button waits before it may ask again.
      assert.equal(await page.getByTestId('send-code').isDisabled(), true)
      await screenshot(page, 'portal-login')

      await page.getByTestId('input-code').fill(code)
      const login = await expectCall(page, '/api/v1/portal/login', 'POST', () =>
        page.getByTestId('portal-login-submit').tap(),
      )
      assert.equal(login.status(), 200, await login.text())
      assert.equal((await login.json()).patient_id, mother.json.id)
      await page.getByTestId('portal-title').waitFor()
      assert.equal(new URL(page.url()).pathname, '/portal')

      // Her card and the baby's, both QR codes loaded and large.
      const cards = page.getByTestId('family-cards')
      for (const id of [mother.json.id, baby.json.id]) {
        const qr = cards.locator(`[data-testid="ecard"][data-patient-id="${id}"] [data-testid="ecard-qr"]`)
        assert.ok((await loadedWidth(qr)) > 0, `QR of patient ${id} loaded`)
        const box = await qr.boundingBox()
        assert.ok(box && box.width >= 200, `QR of patient ${id} is ${box?.width}px wide`)
      }
      assert.ok((await cards.textContent())?.includes(`${name}之子`))
      assert.equal(await scrollsSideways(page), false, 'family page scrolls sideways')

      // Her session is the portal's, not a staff one.
      assert.ok(await page.evaluate(() => localStorage.getItem('stork.portal')))
      assert.equal(await page.evaluate(() => sessionStorage.getItem('stork.token')), null)
      await screenshot(page, 'portal-family')

      // The language switch is on the portal too.
      await page.getByTestId('lang-en').tap()
      await page.getByTestId('portal-title').getByText('My family', { exact: true }).waitFor()
      await page.getByTestId('lang-zh-CN').tap()
      await page.getByTestId('portal-title').getByText('我的家庭', { exact: true }).waitFor()

      // Large text: bigger root font, still no sideways scrolling.
      const normal = await rootFontSize(page)
      await page.getByTestId('large-text-toggle').tap()
      await page.waitForFunction(() => document.documentElement.classList.contains('large-text'))
      const large = await rootFontSize(page)
      assert.ok(large > normal, `root font ${normal}px → ${large}px`)
      assert.equal(await scrollsSideways(page), false, 'family page in large text scrolls sideways')
      await screenshot(page, 'portal-family-large')

      // A reload keeps her signed in; signing out ends the session.
      await page.reload()
      await page.getByTestId('family-cards').waitFor()
      const logout = await expectCall(page, '/api/v1/auth/logout', 'POST', () =>
        page.getByTestId('portal-sign-out').tap(),
      )
      assert.equal(logout.status(), 204)
      await page.getByTestId('portal-login-form').waitFor()
      assert.equal(await page.evaluate(() => localStorage.getItem('stork.portal')), null)
      await page.goto('/portal')
      await page.getByTestId('portal-login-form').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('a wrong code shows an error; with the right one a new patient registers herself', async () => {
    const phone = randomPhone()
    const { context, page, errors } = await openPage(browser, PHONE)
    try {
      await page.goto('/portal/login')
      const code = await requestCode(page, phone)
      assert.equal(code, await latestSmsCode(phone))

      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0')
      await page.getByTestId('input-code').fill(wrong)
      const refused = await expectCall(page, '/api/v1/portal/login', 'POST', () =>
        page.getByTestId('portal-login-submit').tap(),
      )
      assert.equal(refused.status(), 400)
      await page.getByTestId('field-error-code').waitFor()
      assert.equal(new URL(page.url()).pathname, '/portal/login')

      await page.getByTestId('input-code').fill(code)
      const login = await expectCall(page, '/api/v1/portal/login', 'POST', () =>
        page.getByTestId('portal-login-submit').tap(),
      )
      assert.equal(login.status(), 200)
      assert.equal((await login.json()).patient_id, null)

      // No record yet: she registers herself, with the phone she signed in with.
      const form = page.getByTestId('register-self-form')
      await form.waitFor()
      assert.equal(await form.getByTestId('input-phone').inputValue(), phone)
      const birthDate = randomBirthDate()
      const name = randomName()
      await form.getByTestId('input-name').fill(name)
      await form.getByTestId('select-sex').selectOption('female')
      await form.getByTestId('input-birth_date').fill(birthDate)
      await form.getByTestId('input-id_number').fill(residentId(birthDate, 'female'))
      const created = await expectCall(page, '/api/v1/patients', 'POST', () =>
        form.getByTestId('register-self-submit').tap(),
      )
      assert.equal(created.status(), 201, await created.text())
      const self = await created.json()
      const qr = page.locator(`[data-testid="ecard"][data-patient-id="${self.id}"] [data-testid="ecard-qr"]`)
      assert.ok((await loadedWidth(qr)) > 0, 'her QR loaded')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
