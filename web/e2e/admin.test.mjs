// Administrator: user management against the real server.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { launchBrowser, openPage, signIn, signInAs } from './lib.mjs'

/** @type {import('playwright-core').Browser} */
let browser
before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

const FORM_FIELDS = ['username', 'display_name', 'password', 'roles']

/**
 * The form field an `errors[].field` names (same rule as src/errors.ts).
 * @param {string} field
 */
function formField(field) {
  return field
    .replace(/^[$/.]+/, '')
    .split(/[./[\]]+/)
    .find((part) => FORM_FIELDS.includes(part))
}

/**
 * @param {import('playwright-core').Page} page
 * @param {string} urlPart
 * @param {string} method
 * @param {() => Promise<unknown>} action
 */
async function expectCall(page, urlPart, method, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(urlPart) && r.request().method() === method),
    action(),
  ])
  return response
}

describe('user management', () => {
  test('admin sees field errors for a bad user, then creates, edits, disables, enables and resets one', async () => {
    const { context, page, errors } = await openPage(browser)
    try {
      await page.goto('/login')
      await signInAs(page, 'admin')
      await page.getByTestId('nav').locator('[data-nav="users"]').click()
      const table = page.getByTestId('users-table')
      await table.waitFor()
      // The seeded demo accounts are listed.
      await table.locator('[data-testid="user-row"][data-username="clerk"]').waitFor()

      const form = page.getByTestId('create-user-form')

      // 1. A user with a bad field: an invalid username and a one-character password.
      await form.getByTestId('input-username').fill('no spaces allowed!')
      await form.getByTestId('input-display_name').fill('坏数据')
      await form.getByTestId('input-password').fill('x')
      await form.locator('input[data-role="clerk"]').check()
      const bad = await expectCall(page, '/api/v1/users', 'POST', () => page.getByTestId('create-submit').click())
      assert.ok(bad.status() >= 400 && bad.status() < 500, `bad user answered ${bad.status()}`)
      assert.match(bad.headers()['content-type'] ?? '', /application\/problem\+json/)
      const problem = await bad.json()
      assert.ok(Array.isArray(problem.errors) && problem.errors.length > 0, 'problem+json names the bad fields')
      let shown = 0
      for (const { field, message } of problem.errors) {
        const key = formField(field)
        if (!key) continue
        const error = form.getByTestId(`field-error-${key}`)
        await error.waitFor()
        assert.ok((await error.textContent())?.includes(message), `${key}: "${message}" shown next to the field`)
        shown += 1
      }
      assert.ok(shown > 0, `field errors ${JSON.stringify(problem.errors)} map to form fields`)
      assert.equal(await table.locator('[data-username="no spaces allowed!"]').count(), 0)

      // 2. A valid user: created and listed.
      await form.getByTestId('input-username').fill('e2e_nurse')
      await form.getByTestId('input-display_name').fill('测试护士')
      await form.getByTestId('input-password').fill('Nurse-pass-2024!')
      await form.locator('input[data-role="clerk"]').uncheck()
      await form.locator('input[data-role="triage_nurse"]').check()
      const good = await expectCall(page, '/api/v1/users', 'POST', () => page.getByTestId('create-submit').click())
      assert.equal(good.status(), 201, `create answered ${good.status()}: ${await good.text()}`)
      await page.getByTestId('flash').filter({ hasText: 'e2e_nurse' }).waitFor()
      const row = table.locator('[data-testid="user-row"][data-username="e2e_nurse"]')
      await row.waitFor()
      assert.match((await row.textContent()) ?? '', /测试护士/)
      assert.match((await row.textContent()) ?? '', /分诊护士/)
      assert.equal(await form.getByTestId('field-error-username').count(), 0, 'old field errors are cleared')

      // 3. Edit: add the doctor role.
      await row.locator('[data-action="edit"]').click()
      const edit = page.getByTestId('edit-dialog')
      await edit.locator('input[data-role="doctor"]').check()
      const patch = await expectCall(page, '/api/v1/users/', 'PATCH', () => edit.getByTestId('edit-save').click())
      assert.equal(patch.status(), 200, `edit answered ${patch.status()}: ${await patch.text()}`)
      assert.deepEqual(JSON.parse(patch.request().postData() ?? '{}'), { roles: ['triage_nurse', 'doctor'] })
      await page.getByTestId('flash').filter({ hasText: 'e2e_nurse' }).waitFor()
      await row.filter({ hasText: '医生' }).waitFor()

      // Removing a role asks first; cancelling changes nothing.
      await row.locator('[data-action="edit"]').click()
      await edit.locator('input[data-role="doctor"]').uncheck()
      await edit.getByTestId('edit-save').click()
      const confirm = page.getByTestId('confirm-dialog')
      await confirm.getByTestId('confirm-cancel').waitFor()
      await confirm.getByTestId('confirm-cancel').click()
      await confirm.getByTestId('confirm-cancel').waitFor({ state: 'detached' })
      await edit.getByRole('button', { name: '取消' }).click()
      await edit.getByTestId('edit-save').waitFor({ state: 'detached' })
      assert.match((await row.textContent()) ?? '', /医生/)

      // 4. Disable (confirmed), and the user can no longer sign in.
      await row.locator('[data-action="disable"]').click()
      await confirm.getByTestId('confirm-ok').waitFor()
      const disable = await expectCall(page, '/api/v1/users/', 'PATCH', () => confirm.getByTestId('confirm-ok').click())
      assert.equal(disable.status(), 200, `disable answered ${disable.status()}: ${await disable.text()}`)
      await row.getByTestId('user-status').filter({ hasText: '已停用' }).waitFor()
      {
        const other = await openPage(browser)
        try {
          await other.page.goto('/login')
          const refused = await signIn(other.page, 'e2e_nurse', 'Nurse-pass-2024!')
          assert.ok(refused.status() >= 400, `disabled user sign-in answered ${refused.status()}`)
          await other.page.getByTestId('login-error').waitFor()
        } finally {
          await other.context.close()
        }
      }

      // 5. Enable again.
      const enable = await expectCall(page, '/api/v1/users/', 'PATCH', () => row.locator('[data-action="enable"]').click())
      assert.equal(enable.status(), 200)
      await row.getByTestId('user-status').filter({ hasText: '正常' }).waitFor()

      // 6. Reset the password; the user signs in with the new one.
      await row.locator('[data-action="reset-password"]').click()
      const reset = page.getByTestId('reset-dialog')
      await reset.getByTestId('input-password').fill('Fresh-pass-2025!')
      const resetCall = await expectCall(page, '/password', 'POST', () => reset.getByTestId('reset-submit').click())
      assert.ok(resetCall.status() === 204 || resetCall.status() === 200, `reset answered ${resetCall.status()}`)
      await page.getByTestId('flash').filter({ hasText: 'e2e_nurse' }).waitFor()
      {
        const other = await openPage(browser)
        try {
          await other.page.goto('/login')
          const ok = await signIn(other.page, 'e2e_nurse', 'Fresh-pass-2025!')
          assert.equal(ok.status(), 200, `sign-in with the new password answered ${ok.status()}`)
          // First role's home; both roles' homes are in the nav.
          await other.page.locator('[data-testid="role-home"][data-role="triage_nurse"]').waitFor()
          const homes = other.page.getByTestId('nav').locator('[data-nav="home"]')
          assert.deepEqual(await homes.evaluateAll((a) => a.map((e) => e.getAttribute('data-role'))), [
            'triage_nurse',
            'doctor',
          ])
          assert.deepEqual(other.errors, [])
        } finally {
          await other.context.close()
        }
      }
      assert.deepEqual(errors, [])
    } finally {
      await context.close()
    }
  })
})
