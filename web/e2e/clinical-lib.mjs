// Set-up for the clinical documents browser tests (e2e/clinical-*.test.mjs):
// the demo's signing PIN, a patient in the demo doctor's care, lab reports
// posted as the LIS would, and the demo mother signed in on her phone, all
// through the API.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { apiCall, eventually, registerPatient, staffToken } from './lib.mjs'

/** `stork seed-demo` enrols every demo doctor and pharmacist with this UKEY PIN. */
export const DEMO_PIN = '123456'

/** The demo mother's phone (stork seed-demo); one lab report of her child waits for a signature. */
export const DEMO_MOTHER_PHONE = '13800138000'

/**
 * Posts a lab report for a patient as the LIS would (the admin may post
 * reports); resolves with the new document's id.
 * @param {string} cardNo
 * @param {{ value?: string, flags?: string[] }} [hgb]
 */
export async function postLabReport(cardNo, { value = '98', flags = ['L'] } = {}) {
  const admin = await staffToken('admin')
  const { status, json } = await apiCall('POST', '/api/v1/reports', {
    token: admin,
    body: {
      message_id: `E2E-${randomUUID()}`,
      kind: 'lab_report',
      patient: { card_no: cardNo },
      service: { code: 'CBC', text: '全血细胞计数' },
      accession: `A${Date.now()}`,
      observed_at: Date.now() - 3_600_000,
      results: [
        { code: 'HGB', name: 'Hemoglobin', value, unit: 'g/L', reference_range: '110-150', abnormal_flags: flags, status: 'F' },
        { code: 'WBC', name: 'White blood cells', value: '6.1', unit: '10^9/L', reference_range: '3.5-9.5', abnormal_flags: [], status: 'F' },
      ],
      conclusion: '轻度贫血',
    },
  })
  assert.equal(status, 201, JSON.stringify(json))
  return /** @type {number} */ (json.id)
}

/**
 * A newly registered patient the demo doctor may write for: she signed a lab
 * report of the patient (a doctor reads and writes for patients she has an
 * encounter with, a referral to, or documents she wrote or signed).
 */
export async function patientInCare() {
  const clerk = await staffToken('clerk')
  const patient = await registerPatient(clerk)
  const reportId = await postLabReport(patient.card_no)
  const doctor = await staffToken('doctor')
  const signed = await apiCall('POST', `/api/v1/documents/${reportId}/sign`, { token: doctor, body: { pin: DEMO_PIN } })
  assert.equal(signed.status, 200, JSON.stringify(signed.json))
  return /** @type {{ id: number, card_no: string, name: string }} */ (patient)
}

/**
 * Signs the demo mother in on the portal through the API (waiting out the
 * one-code-a-minute limit other tests may have started) and leaves her
 * session where the portal keeps it, so the page opens signed in.
 * @param {import('playwright-core').BrowserContext} context
 */
export async function portalSessionFor(context, phone = DEMO_MOTHER_PHONE) {
  await eventually(
    async () => {
      const sent = await apiCall('POST', '/api/v1/portal/otp', { body: { phone, phone_foreign: false } })
      assert.ok(sent.status < 300 || sent.status === 429, `asking for a code answered ${sent.status}`)
      return sent.status < 300
    },
    { timeoutMs: 70_000, what: 'a sign-in code for the demo mother' },
  )
  const outbox = await apiCall('GET', `/api/v1/sms-simulator/outbox?phone=${phone}`)
  const code = /\b(\d{6})\b/.exec(outbox.json.items?.[0]?.text ?? '')?.[1]
  assert.ok(code, 'the simulator delivered a code')
  const login = await apiCall('POST', '/api/v1/portal/login', { body: { phone, code } })
  assert.equal(login.status, 200, JSON.stringify(login.json))
  const stored = { token: login.json.token, expires_at: login.json.expires_at, account_id: login.json.account_id, phone }
  await context.addInitScript((data) => localStorage.setItem('stork.portal', data), JSON.stringify(stored))
  return /** @type {string} */ (login.json.token)
}

/**
 * The verify address the printed page's QR code carries: /verify/ID?code=….
 * @param {string} html
 */
export function verifyPathIn(html) {
  const match = /\/verify\/(\d+)\?code=([A-Za-z0-9_-]+)/.exec(html)
  assert.ok(match, 'the printed page carries the verify address')
  return { id: Number(match[1]), code: match[2], path: `/verify/${match[1]}?code=${match[2]}` }
}
