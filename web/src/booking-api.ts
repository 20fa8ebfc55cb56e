// The appointment platform's API: the hospital directory, the free-slot
// search, booking with idempotency keys, cancel and check-in, and (staff)
// schedule templates and clinic sessions. Like the patients module, the calls
// are made for one `AuthSource` and handed to shared components through
// provide/inject, so the portal books with the patient's token.

import { inject, type InjectionKey } from 'vue'
import { ApiError, noAuth, request, staffAuth, type AuthSource } from './api'

export const CHANNELS = ['online', 'kiosk', 'phone_line', 'window', 'referral', 'doctor'] as const
export type Channel = (typeof CHANNELS)[number]
export const PERIODS = ['morning', 'afternoon', 'evening'] as const
export type Period = (typeof PERIODS)[number]
export const STATUSES = ['booked', 'checked_in', 'completed', 'cancelled', 'no_show'] as const
export type AppointmentStatus = (typeof STATUSES)[number]
/** The four ticket pools a template splits its capacity into (percent, summing to 100). */
export const QUOTA_CLASSES = ['online', 'window', 'referral', 'doctor'] as const
export type QuotaClass = (typeof QUOTA_CLASSES)[number]

/** Names in both languages, as the directory sends them. */
export interface Named {
  name_zh: string
  name_en: string
}

export interface Department extends Named {
  code: string
  parent_code: string | null
}

export interface Clinic extends Named {
  code: string
  department_code: string
  clinic_type: string
}

export interface Room {
  code: string
  department_code: string
  name: string
  kind: string
}

export interface Practitioner {
  id: number
  name: string
  title: string
  department_code: string
}

export interface Directory {
  departments: Department[]
  clinics: Clinic[]
  rooms: Room[]
  practitioners: Practitioner[]
}

export interface SlotClinic extends Named {
  code: string
  type: string
  department_code: string
}

export interface SlotPractitioner {
  id: number
  name: string
  title: string
}

/** A 30-minute slot as the free-slot search shows it; times are UTC. */
export interface Slot {
  id: number
  session_id: number
  start: string
  end: string
  capacity: number
  booked: number
  /** Tickets the channel asked for may still take (the common pool included once open). */
  remaining: number
  released: boolean
  release_at: string
  /** YYYY-MM-DD, hospital time. */
  day: string
  period: Period
  clinic: SlotClinic
  practitioner: SlotPractitioner | null
  preparation: string
}

export interface SlotQuery {
  department?: string
  clinic?: string
  clinic_type?: string
  doctor?: number
  from?: string
  to?: string
  period?: Period
  channel?: Channel
  available?: boolean
}

export interface Appointment {
  id: number
  patient_id: number
  session_id: number
  slot_id: number
  ticket_no: number
  channel: Channel
  status: AppointmentStatus
  start: string
  end: string
  clinic_code: string
  department_code: string
  practitioner_id: number | null
  preparation: string
  created_at: string
  checked_in_at: string | null
  cancelled_at: string | null
  /** An online booking's fee: due (pay before payment_due_at or the ticket is released) or paid. */
  payment?: 'none' | 'due' | 'paid'
  payment_due_at?: string | null
}

export type Quota = Record<QuotaClass, number>

export interface ScheduleTemplate {
  id: number
  clinic_code: string
  practitioner_id: number | null
  room_code: string
  /** ISO: 1 Monday … 7 Sunday. */
  weekday: number
  period: Period
  /** HH:MM, hospital time. */
  start: string
  end: string
  slot_minutes: number
  capacity_per_slot: number
  quota: Quota
  release_days_ahead: number
  release_time: string
  pool_minutes_before: number
  preparation: string
  active: boolean
}

/**
 * A template as the form sends it. Numbers the person left blank or typed
 * badly go as they are: the server names the field.
 */
export type NewTemplate = Record<string, unknown>

export const TEMPLATE_FIELDS = [
  'clinic_code',
  'practitioner_id',
  'room_code',
  'weekday',
  'period',
  'start',
  'end',
  'slot_minutes',
  'capacity_per_slot',
  'quota',
  'release_days_ahead',
  'release_time',
  'pool_minutes_before',
  'preparation',
] as const

export interface GenerateReport {
  sessions_created: number
  slots_created: number
  tickets_created: number
  /** Special-needs sessions left out because they would pass the hospital's share cap. */
  special_needs_skipped?: number
}

export interface ClinicSession {
  id: number
  clinic: SlotClinic
  practitioner: SlotPractitioner | null
  day: string
  period: Period
  start: string
  end: string
  status: 'open' | 'stopped'
  capacity: number
  booked: number
  waitlist: number
}

export interface SessionQuery {
  from?: string
  to?: string
  department?: string
  clinic?: string
}

export interface AffectedAppointment {
  appointment_id: number
  patient_id: number
  ticket_no: number
  alternatives: Slot[]
}

export interface StopReport {
  session: ClinicSession
  /** Appointments cancelled by the stop, each patient notified with these alternatives. */
  affected: AffectedAppointment[]
  /** Waiting-list entries of the session cancelled (and notified). */
  waitlist_cancelled: number
}

export interface PatientNotification {
  id: number
  /** e.g. session_stopped, waitlist_promoted. */
  kind: string
  title: string
  body: string
  appointment_id: number | null
  /** Slots offered for one-tap rebooking (a stopped clinic). */
  offered_slot_ids?: number[]
  created_at: string
}

export interface Restriction {
  restricted_until: string | null
  /** The missed appointments that count, newest first. */
  no_show_appointment_ids: number[]
}

/**
 * A fresh Idempotency-Key. `crypto.randomUUID` exists only in secure
 * contexts (HTTPS or localhost); a window PC on plain HTTP gets a version-4
 * UUID from `getRandomValues`, which every browser has.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** A route this server does not have yet (a release behind the web app): hide that part. */
export function isMissingEndpoint(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404 && error.problem.code === 'route_not_found'
}

function queryString(query: object): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

function appointmentPath(id: number): string {
  return `/api/v1/appointments/${encodeURIComponent(id)}`
}

function patientPath(id: number): string {
  return `/api/v1/patients/${encodeURIComponent(id)}`
}

async function items<T>(path: string, auth: AuthSource): Promise<T[]> {
  const data = await request<{ items?: T[] }>('GET', path, { auth })
  return data?.items ?? []
}

export function bookingApi(auth: AuthSource) {
  const o = { auth }
  return {
    // Public: anyone may look for a free slot before signing in.
    directory: () => request<Directory>('GET', '/api/v1/directory', { auth: noAuth }),
    slots: (query: SlotQuery) => items<Slot>(`/api/v1/slots${queryString(query)}`, noAuth),
    slot: (id: number, channel: Channel) =>
      request<Slot>('GET', `/api/v1/slots/${encodeURIComponent(id)}${queryString({ channel })}`, { auth: noAuth }),

    /** `key`: one per confirmation; send the same one again when retrying it. */
    book: (patientId: number, slotId: number, channel: Channel, key: string) =>
      request<Appointment>('POST', '/api/v1/appointments', {
        ...o,
        body: { patient_id: patientId, slot_id: slotId, channel },
        headers: { 'Idempotency-Key': key },
      }),
    appointment: (id: number) => request<Appointment>('GET', appointmentPath(id), o),
    appointmentsOf: (patientId: number) => items<Appointment>(`${patientPath(patientId)}/appointments`, auth),
    cancel: (id: number) => request<Appointment>('POST', `${appointmentPath(id)}/cancel`, o),
    checkIn: (id: number) => request<Appointment>('POST', `${appointmentPath(id)}/check-in`, o),
    alternatives: (id: number) => items<Slot>(`${appointmentPath(id)}/alternatives`, auth),
    rebook: (id: number, slotId: number, key: string) =>
      request<Appointment>('POST', `${appointmentPath(id)}/rebook`, {
        ...o,
        body: { slot_id: slotId },
        headers: { 'Idempotency-Key': key },
      }),
    notifications: (patientId: number) =>
      items<PatientNotification>(`${patientPath(patientId)}/notifications`, auth),
    restriction: (patientId: number) => request<Restriction>('GET', `${patientPath(patientId)}/restriction`, o),

    // Staff: schedules.
    templates: () => items<ScheduleTemplate>('/api/v1/schedule-templates', auth),
    createTemplate: (template: NewTemplate) =>
      request<ScheduleTemplate>('POST', '/api/v1/schedule-templates', { ...o, body: template }),
    generate: (from: string, days: unknown) =>
      request<GenerateReport>('POST', '/api/v1/clinic-sessions/generate', { ...o, body: { from, days } }),
    sessions: (query: SessionQuery) => items<ClinicSession>(`/api/v1/clinic-sessions${queryString(query)}`, auth),
    stopSession: (id: number, reason: string) =>
      request<StopReport>('POST', `/api/v1/clinic-sessions/${encodeURIComponent(id)}/stop`, {
        ...o,
        body: { reason },
      }),
  }
}

export type BookingApi = ReturnType<typeof bookingApi>

export const staffBookingApi = bookingApi(staffAuth)

/** Provided by the portal layout so shared components book with the patient's token. */
export const BOOKING_API: InjectionKey<BookingApi> = Symbol('booking-api')

export function useBookingApi(): BookingApi {
  return inject(BOOKING_API, staffBookingApi)
}
