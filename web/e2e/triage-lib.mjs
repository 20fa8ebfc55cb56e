// Set-up for the triage browser tests (e2e/triage-*.test.mjs): a clinic
// session today that covers the whole day (the server runs on real time, so
// the demo's half-day clinics may be over or not yet started), and patients
// booked into it and checked in, all through the API. Each test file uses
// a clinic area of its own, so their queues do not mix.

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import {
  apiCall,
  hospitalToday,
  randomName,
  randomPhone,
  registerPatient,
  residentId,
  staffToken,
} from './lib.mjs'

/** The areas the tests use: a department with one clinic and consultation rooms, nobody else's clinics. */
export const AREAS = /** @type {const} */ ({
  desk: { department: 'OB', clinic: 'OB-GEN', room: 'OB-R3' },
  doctor: { department: 'PSURG', clinic: 'PSURG-GEN', room: 'PSURG-R1' },
  display: { department: 'REP', clinic: 'REP-GEN', room: 'REP-R2' },
  portal: { department: 'CHC', clinic: 'CHC-GEN', room: 'CHC-R1' },
})

const SLOT_MINUTES = 10
/** Check-in opens this long before a slot (the server's default). */
const CHECK_IN_OPENS_MINUTES = 60

/**
 * A one-off session today, 00:00–23:50 in 10-minute slots, all tickets
 * for the window, in the area's clinic with the department's doctor.
 * @param {{ department: string, clinic: string, room: string }} area
 */
export async function openTodaySession(area) {
  const admin = await staffToken('admin')
  const { json: directory } = await apiCall('GET', '/api/v1/directory')
  const doctor = directory.practitioners.find(
    (/** @type {{department_code: string}} */ p) => p.department_code === area.department,
  )
  assert.ok(doctor, `the demo directory has a doctor in ${area.department}`)
  const created = await apiCall('POST', '/api/v1/clinic-sessions', {
    token: admin,
    body: {
      clinic_code: area.clinic,
      practitioner_id: doctor.id,
      room_code: area.room,
      day: hospitalToday(),
      period: 'morning',
      start: '00:00',
      end: '23:50',
      slot_minutes: SLOT_MINUTES,
      capacity_per_slot: 20,
      quota: { online: 0, window: 100, referral: 0, doctor: 0 },
      release_days_ahead: 0,
      release_time: '00:00',
    },
  })
  assert.equal(created.status, 201, JSON.stringify(created.json))
  return /** @type {{ id: number, clinic: { code: string }, practitioner: { id: number, name: string } }} */ (
    created.json
  )
}

/**
 * The session's soonest slot whose check-in is open now: it starts within
 * the hour (and not in the next minute, so booking it is still allowed).
 * @param {{ id: number, clinic: { code: string } }} session
 */
async function checkInSlot(session) {
  const today = hospitalToday()
  const params = new URLSearchParams({ clinic: session.clinic.code, from: today, to: today, channel: 'window' })
  const { status, json } = await apiCall('GET', `/api/v1/slots?${params}`)
  assert.equal(status, 200, JSON.stringify(json))
  const now = Date.now()
  /** @type {any[]} */
  const slots = json.items
  const slot = slots
    .filter((s) => s.session_id === session.id && s.remaining > 0)
    .filter((s) => {
      const start = Date.parse(s.start)
      return start >= now + 60_000 && start <= now + (CHECK_IN_OPENS_MINUTES - 2) * 60_000
    })
    .sort((a, b) => a.start.localeCompare(b.start))[0]
  assert.ok(slot, 'a slot of the all-day session starts within the hour (not so in the last minutes of the day)')
  return slot
}

/**
 * Pays the registration fee of a booking in cash at the window (check-in
 * needs it paid).
 * @param {string} clerk a clerk's token
 * @param {number} patientId
 * @param {number} appointmentId
 */
async function payAtWindow(clerk, patientId, appointmentId) {
  const orders = await apiCall('GET', `/api/v1/patients/${patientId}/orders`, { token: clerk })
  assert.equal(orders.status, 200, JSON.stringify(orders.json))
  const order = orders.json.items.find((/** @type {{appointment_id: number}} */ o) => o.appointment_id === appointmentId)
  assert.ok(order, 'the booking made a bill')
  const paid = await apiCall('POST', `/api/v1/orders/${order.id}/payments`, {
    token: clerk,
    headers: { 'Idempotency-Key': randomUUID() },
    body: { method: 'cash', amount_fen: order.outstanding_fen },
  })
  assert.equal(paid.status, 201, JSON.stringify(paid.json))
}

/**
 * A new patient booked at the window into the session, her fee paid (not checked in).
 * @param {{ id: number, clinic: { code: string } }} session
 * @param {{ phone?: string }} [options]
 */
export async function bookedPatient(session, options = {}) {
  const clerk = await staffToken('clerk')
  const patient = await registerPatient(clerk, options)
  const slot = await checkInSlot(session)
  const booked = await apiCall('POST', '/api/v1/appointments', {
    token: clerk,
    body: { patient_id: patient.id, slot_id: slot.id, channel: 'window' },
    headers: { 'Idempotency-Key': randomUUID() },
  })
  assert.equal(booked.status, 201, JSON.stringify(booked.json))
  if (booked.json.payment === 'due') await payAtWindow(clerk, patient.id, booked.json.id)
  return { patient, appointment: booked.json, clerk }
}

/**
 * A new patient booked into the session and checked in: she is in its queue.
 * @param {{ id: number, clinic: { code: string } }} session
 * @param {{ phone?: string }} [options]
 */
export async function queuedPatient(session, options = {}) {
  const { patient, appointment, clerk } = await bookedPatient(session, options)
  const checkedIn = await apiCall('POST', `/api/v1/appointments/${appointment.id}/check-in`, { token: clerk })
  assert.equal(checkedIn.status, 200, JSON.stringify(checkedIn.json))
  return { patient, appointment: checkedIn.json }
}

/**
 * Records every utterance the page asks the browser to speak, in
 * `window.__spoken` (an init script: it runs before the app).
 * @param {import('playwright-core').BrowserContext} context
 */
export async function recordSpeech(context) {
  await context.addInitScript(() => {
    /** @type {{ text: string, lang: string }[]} */
    const spoken = []
    Object.defineProperty(window, '__spoken', { value: spoken })
    const synth = {
      speak: (/** @type {SpeechSynthesisUtterance} */ u) => spoken.push({ text: u.text, lang: u.lang }),
      cancel: () => {},
      pause: () => {},
      resume: () => {},
      getVoices: () => [],
      speaking: false,
      pending: false,
      paused: false,
      addEventListener: () => {},
      removeEventListener: () => {},
    }
    Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true })
  })
}

/**
 * Waits until the page has spoken `count` utterances (see recordSpeech;
 * empty ones, which only unlock speech, do not count) and resolves with them.
 * @param {import('playwright-core').Page} page
 * @param {number} count
 * @returns {Promise<{ text: string, lang: string }[]>}
 */
export async function waitForSpoken(page, count) {
  const said = await page.waitForFunction((n) => {
    const list = /** @type {any} */ (window).__spoken.filter((/** @type {{text: string}} */ u) => u.text)
    return list.length >= n ? list : null
  }, count)
  return /** @type {any} */ (await said.jsonValue())
}

/**
 * Picks the area and the session on a page with the session picker, and
 * waits until the session is chosen.
 * @param {import('playwright-core').Page} page
 * @param {string} department
 * @param {number} sessionId
 */
export async function pickSession(page, department, sessionId) {
  await page.getByTestId('select-department').selectOption(department)
  const select = page.getByTestId('select-session')
  await select.locator(`option[value="${sessionId}"]`).waitFor({ state: 'attached' })
  await select.selectOption(String(sessionId))
}

/**
 * A mother registered at the window with a son of `childAgeYears` (born on
 * this day that many years ago, less a month) linked to her; his phone is hers.
 * @param {{ childAgeYears?: number }} [options]
 */
export async function motherAndChild({ childAgeYears = 4 } = {}) {
  const clerk = await staffToken('clerk')
  const phone = randomPhone()
  const mother = await registerPatient(clerk, { phone })
  const [year, month] = hospitalToday().split('-').map(Number)
  const born = new Date(Date.UTC(year - childAgeYears, month - 2, 15)).toISOString().slice(0, 10)
  const child = await apiCall('POST', `/api/v1/patients/${mother.id}/children`, {
    token: clerk,
    body: {
      child: {
        name: randomName(),
        sex: 'male',
        birth_date: born,
        id_type: 'resident_id',
        id_number: residentId(born, 'male'),
      },
    },
  })
  assert.equal(child.status, 201, JSON.stringify(child.json))
  return { phone, mother, child: child.json }
}

/**
 * Scans a patient's e-card at the gate desk (types the card number and
 * presses Enter, as the scanner does) and waits until she is chosen.
 * @param {import('playwright-core').Page} page
 * @param {string} cardNo
 */
export async function scanAtGate(page, cardNo) {
  await page.getByTestId('find-input').fill(cardNo)
  await page.getByTestId('find-input').press('Enter')
  await page.getByTestId('gate-patient-who').waitFor()
}
