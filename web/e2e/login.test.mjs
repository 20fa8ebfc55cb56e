// Sign-in for every staff role, wrong password, sign-out, and expired tokens.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  HOME_TITLES,
  apiCall,
  NAV_PAGES,
  ROLES,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  signInAs,
} from './lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

describe('sign-in', () => {
  for (const role of ROLES) {
    test(`${role} signs in through the form and sees the ${role} home and nav`, async () => {
      const { context, page, errors } = await openPage(browser)
      try {
        // Opening the app without a session lands on the sign-in form.
        await page.goto('/')
        await page.getByTestId('login-form').waitFor()
        assert.match(new URL(page.url()).pathname, /^\/login$/)
        if (role === 'admin') await screenshot(page, 'login')

        await signInAs(page, role)
        const heading = page.getByTestId('role-home')
        assert.equal(await heading.getAttribute('data-role'), role)
        assert.equal((await heading.textContent())?.trim(), HOME_TITLES[role][0])
        assert.equal(new URL(page.url()).pathname, `/home/${role}`)

        // Header: the user's display name and role.
        assert.notEqual((await page.getByTestId('user-name').textContent())?.trim(), '')
        assert.equal(await page.getByTestId('user-role').getAttribute('data-role'), role)

        // Navigation: the home plus exactly the pages this role may open.
        const nav = page.getByTestId('nav')
        await nav.waitFor()
        const items = await nav.locator('[data-nav]').evaluateAll((links) => links.map((a) => a.getAttribute('data-nav')))
        assert.deepEqual(items, ['home', ...NAV_PAGES[role]])

        // The home lists the role's upcoming work in plain words.
        assert.ok((await page.getByTestId('upcoming-tasks').locator('li').count()) > 0)

        // /home resolves to the role's home after a reload too (session survives it).
        await page.goto('/home')
        await page.locator(`[data-testid="role-home"][data-role="${role}"]`).waitFor()

        if (role === 'admin') await screenshot(page, 'admin-home')
        assert.deepEqual(errors, [])
      } finally {
        await context.close()
      }
    })
  }

  test('a wrong password shows the server error and stays on the sign-in page', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      const response = await signIn(page, 'clerk', 'not-the-password')
      assert.equal(response.status(), 401)
      assert.match(response.headers()['content-type'] ?? '', /application\/problem\+json/)
      const problem = await response.json()
      const error = page.getByTestId('login-error')
      await error.waitFor()
      const shown = (await error.textContent())?.trim()
      assert.ok(shown, 'an error message is shown')
      if (problem.detail) assert.equal(shown, problem.detail)
      assert.equal(new URL(page.url()).pathname, '/login')
      assert.equal(await page.getByTestId('role-home').count(), 0)
      assert.equal(await page.evaluate(() => sessionStorage.getItem('stork.token')), null)
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('sign-out ends the session and returns to the sign-in page', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'doctor')
      const [logout] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout')),
        page.getByTestId('sign-out').click(),
      ])
      assert.equal(logout.status(), 204)
      await page.getByTestId('login-form').waitFor()
      assert.equal(await page.evaluate(() => sessionStorage.getItem('stork.token')), null)
      // The old page is no longer reachable without signing in again.
      await page.goto('/home')
      await page.getByTestId('login-form').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })

  test('a 401 from any API call (token revoked elsewhere) returns to the sign-in page', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'admin')
      // Revoke this tab's token behind its back.
      const token = await page.evaluate(() => sessionStorage.getItem('stork.token'))
      assert.ok(token)
      const revoked = await apiCall('POST', '/api/v1/auth/logout', { token })
      assert.equal(revoked.status, 204)

      // Opening a page whose data needs the API: the 401 sends us to sign-in.
      const [users] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/v1/users')),
        page.getByTestId('nav').locator('[data-nav="users"]').click(),
      ])
      assert.equal(users.status(), 401)
      await page.getByTestId('login-form').waitFor()
      assert.equal(await page.evaluate(() => sessionStorage.getItem('stork.token')), null)

      // After signing in again the person is back where they were.
      await signIn(page, 'admin')
      await page.getByTestId('users-table').waitFor()
      assert.equal(new URL(page.url()).pathname, '/users')

      // A bad token found at start-up (reload) also ends on the sign-in page.
      await page.evaluate(() => sessionStorage.setItem('stork.token', 'not-a-valid-token'))
      await page.reload()
      await page.getByTestId('login-form').waitFor()
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
