// Language switch, large-text mode, and the phone layout.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { HOME_TITLES, launchBrowser, openPage, rootFontSize, scrollsSideways, signInAs } from './lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

describe('preferences', () => {
  test('the language switch turns visible text to English and back, and is remembered', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      // Chinese by default.
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
      assert.equal((await page.getByTestId('login-submit').textContent())?.trim(), '登录')

      await signInAs(page, 'clerk')
      const heading = page.getByTestId('role-home')
      const signOut = page.getByTestId('sign-out')
      assert.equal((await heading.textContent())?.trim(), HOME_TITLES.clerk[0])
      assert.equal((await signOut.textContent())?.trim(), '退出登录')

      await page.getByTestId('lang-en').click()
      await page.getByText(HOME_TITLES.clerk[1], { exact: true }).waitFor()
      assert.equal((await heading.textContent())?.trim(), HOME_TITLES.clerk[1])
      assert.equal((await signOut.textContent())?.trim(), 'Sign out')
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
      assert.equal(await page.getByTestId('lang-en').getAttribute('aria-pressed'), 'true')

      // Remembered across a reload.
      await page.reload()
      await page.getByText(HOME_TITLES.clerk[1], { exact: true }).waitFor()
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')

      await page.getByTestId('lang-zh-CN').click()
      await page.getByText(HOME_TITLES.clerk[0], { exact: true }).waitFor()
      assert.equal((await signOut.textContent())?.trim(), '退出登录')
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('large-text mode enlarges the root font size and survives a reload', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      const toggle = page.getByTestId('large-text-toggle')
      await toggle.waitFor()
      const normal = await rootFontSize(page)
      const buttonHeight = async () => (await page.getByTestId('login-submit').boundingBox())?.height ?? 0
      const normalButton = await buttonHeight()

      await toggle.click()
      await page.waitForFunction(() => document.documentElement.classList.contains('large-text'))
      const large = await rootFontSize(page)
      assert.ok(Math.abs(large / normal - 1.25) < 0.01, `root font ${normal}px → ${large}px, expected ×1.25`)
      assert.ok((await buttonHeight()) > normalButton, 'touch targets grow too')
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true')

      await page.reload()
      await page.getByTestId('login-form').waitFor()
      assert.equal(await rootFontSize(page), large)
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true')

      // Still on after signing in, and it can be switched off from the header.
      await signInAs(page, 'pharmacist')
      assert.equal(await rootFontSize(page), large)
      await page.getByTestId('large-text-toggle').click()
      await page.waitForFunction(() => !document.documentElement.classList.contains('large-text'))
      assert.equal(await rootFontSize(page), normal)
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('on a 375×812 phone, sign-in and home fit without sideways scrolling', async () => {
    const { context, page, errors } = await openPage(browser, {
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    })
    try {
      await page.goto('/login')
      await page.getByTestId('login-form').waitFor()
      assert.equal(await scrollsSideways(page), false, 'sign-in page scrolls sideways')

      await signInAs(page, 'admin')
      assert.equal(await scrollsSideways(page), false, 'home scrolls sideways')

      // The nav collapses behind the menu button.
      const nav = page.getByTestId('nav')
      const menu = page.getByTestId('menu-button')
      assert.equal(await menu.isVisible(), true)
      assert.equal(await nav.isVisible(), false)
      await menu.tap()
      await nav.waitFor({ state: 'visible' })
      assert.equal(await menu.getAttribute('aria-expanded'), 'true')
      assert.equal(await scrollsSideways(page), false, 'open menu scrolls sideways')

      // Pages with tables fit too, also in large-text mode.
      await nav.locator('[data-nav="users"]').tap()
      await page.getByTestId('users-table').waitFor()
      assert.equal(await nav.isVisible(), false, 'the menu closes after navigating')
      assert.equal(await scrollsSideways(page), false, 'user list scrolls sideways')
      await menu.tap()
      await page.getByTestId('large-text-toggle').tap()
      await page.waitForFunction(() => document.documentElement.classList.contains('large-text'))
      assert.equal(await scrollsSideways(page), false, 'user list in large text scrolls sideways')
      await nav.locator('[data-nav="audit"]').tap()
      await page.getByTestId('audit-table').waitFor()
      assert.equal(await scrollsSideways(page), false, 'audit log in large text scrolls sideways')
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
