// The triage module's API (issue 6; README "Triage, queues and calling", docs/screening.md): gate screening,
// area triage (vitals and priority), the queues of clinic sessions, calling,
// the waiting-area display, and a patient's own place in the queue. The
// staff pages call it with the staff session; the portal's "my queue" with
// the patient's (`triageApi(portalAuth)`).

import { request, staffAuth, type AuthSource } from './api'

export const ENTRY_STATES = ['waiting', 'called', 'in_room', 'done'] as const
export type EntryState = (typeof ENTRY_STATES)[number]
export const ENTRY_KINDS = ['appointment', 'walk_in', 'return_visit'] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]
export const ROOM_STATES = ['open', 'paused', 'closed'] as const
export type RoomState = (typeof ROOM_STATES)[number]

/** A checked-in appointment in its clinic session's queue. */
export interface QueueEntry {
  id: number
  session_id: number
  appointment_id: number | null
  patient_id: number
  ticket_no: number
  /** Masked ("张*丽"). */
  name: string
  kind: EntryKind
  state: EntryState
  /** 1-based, only while waiting. */
  position: number | null
  arrived_at: string
  slot_starts_at: string | null
  called_at: string | null
  seen_at: string | null
  done_at: string | null
  room_code: string | null
  absences: number
  late: boolean
  flags: string[]
  /** The last triage level (1 most urgent), when assessed. */
  level: number | null
  /** The highest rank among its flags (0: none that moves it up). */
  priority_rank?: number
  /** Only while waiting. */
  estimated_wait_minutes: number | null
  /** The session's clinic and its department. */
  clinic_code: string
  department_code: string
  clinic_name_zh?: string
  clinic_name_en?: string
  room_name?: string | null
}

export interface QueueRoom {
  room_code: string
  room_name?: string
  state: RoomState
  practitioner_id: number | null
}

export interface SessionCounts {
  waiting: number
  called: number
  in_room: number
  done: number
}

/** A clinic session of the day as the triage views list it (counts and rooms in the list only). */
export interface TriageSession extends Partial<SessionCounts> {
  id: number
  clinic_code: string
  clinic_name_zh?: string
  clinic_name_en?: string
  clinic_type?: string
  department_code?: string
  practitioner_id: number | null
  practitioner_name?: string
  day?: string
  period?: string
  starts_at?: string
  ends_at?: string
  status: 'open' | 'stopped'
  rooms?: QueueRoom[]
}

export interface SessionQueue {
  session: TriageSession
  rooms: QueueRoom[]
  waiting: QueueEntry[]
  called: QueueEntry[]
  in_room: QueueEntry[]
  done_count: number
}

/** A call as the display shows it. */
export interface DisplayCall {
  ticket_no: number
  name: string
  room_code: string
  room_name: string
  clinic_name_zh: string
  clinic_name_en: string
  called_at: string
  recall: boolean
}

export interface DisplaySnapshot {
  department: string
  /** Newest first, at most 10, today only. */
  calls: DisplayCall[]
  sessions: TriageSession[]
}

export interface FlagDefinition {
  code: string
  name_zh: string
  name_en: string
  /** 0: shown only, no effect on the order. */
  rank: number
}

export const VITAL_NUMBERS = [
  'temperature_c',
  'heart_rate',
  'respiratory_rate',
  'systolic_bp',
  'diastolic_bp',
  'spo2',
  'gestational_week',
  'fetal_heart_rate',
  'age_months',
  'capillary_refill_seconds',
] as const
export type VitalNumber = (typeof VITAL_NUMBERS)[number]
export const CONSCIOUSNESS = ['alert', 'voice', 'pain', 'unresponsive'] as const
export const OXYGEN_THERAPY = ['room_air', 'low', 'high'] as const
export const RESPIRATORY_EFFORT = ['normal', 'mild', 'moderate', 'severe'] as const
export const SCALES = ['auto', 'meows', 'pews'] as const
export type ScaleChoice = (typeof SCALES)[number]
/** Every vitals field, for placing the server's field errors. */
export const VITAL_FIELDS = [
  ...VITAL_NUMBERS,
  'consciousness',
  'supplemental_oxygen',
  'oxygen_therapy',
  'respiratory_effort',
] as const

export type Vitals = Partial<Record<VitalNumber, number>> & {
  consciousness?: (typeof CONSCIOUSNESS)[number]
  supplemental_oxygen?: boolean
  oxygen_therapy?: (typeof OXYGEN_THERAPY)[number]
  respiratory_effort?: (typeof RESPIRATORY_EFFORT)[number]
}

export interface NewAssessment {
  appointment_id: number
  vitals: Vitals
  scale: ScaleChoice
  flags: string[]
  note: string
}

export interface ParamScore {
  param: string
  value: number
  score: number
  colour?: string
}

/** A scale's result (MEOWS, PEWS). */
export interface ScaleResult {
  /** The scale's id, e.g. meows. */
  id: string
  total: number
  level: number
  level_name: string
  triggered: boolean
  scores?: ParamScore[]
  missing?: string[]
  reds?: number
  yellows?: number
}

export interface ImplausibleFlag {
  /** "vitals.temperature_c". */
  field: string
  message: string
}

export interface Assessment {
  id: number
  appointment_id: number
  patient_id: number
  /** The scale's result; null when no scale applied (neither pregnant nor a child). */
  scale: ScaleResult | null
  /** The four-level emergency triage (1 濒危 … 4 非急症). */
  emergency: { level: number; name: string }
  /** Levels I and II: send her to the emergency department now. */
  refer_to_emergency: boolean
  /** Accepted but implausible values: measure again. */
  implausible: ImplausibleFlag[]
  /** Flags the assessment added to her queue entry. */
  flags: string[]
  age_months?: number
  created_at: string
}

/** A question of the gate questionnaire. */
export interface ScreeningQuestion {
  id: string
  kind: 'yes_no' | 'choice' | 'number' | 'text'
  text_zh: string
  text_en: string
  required: boolean
  /** children: asked only of patients under 18. */
  audience: 'everyone' | 'children'
  choices?: { code: string; label_zh: string; label_en: string }[]
  min?: number
  max?: number
}

/** Where a screening sends the patient, with what her screen tells her. */
export interface ScreeningRouteDef {
  code: string
  name_zh: string
  name_en: string
  instruction_zh: string
  instruction_en: string
  /** The gate list highlights it (fever, isolation). */
  alert: boolean
}

export interface Questionnaire {
  version: number
  title_zh: string
  title_en: string
  questions: ScreeningQuestion[]
  routes: ScreeningRouteDef[]
  rules: unknown[]
  default_route: string
}

/** Questions asked under this age (years) include those for children. */
export const ADULT_AGE_YEARS = 18

/** Whole years from a birth date to a day (both YYYY-MM-DD, hospital calendar). */
export function ageYearsOn(birthDate: string, day: string): number {
  const [by = 0, bm = 0, bd = 0] = birthDate.split('-').map(Number)
  const [y = 0, m = 0, d = 0] = day.split('-').map(Number)
  const beforeBirthday = m < bm || (m === bm && d < bd)
  return Math.max(0, y - by - (beforeBirthday ? 1 : 0))
}

export type ScreeningAnswers = Record<string, boolean | string | number>

export interface Screening {
  id: number
  patient_id: number
  name: string
  sex: string
  age_years: number
  /** YYYY-MM-DD, hospital time. */
  day: string
  questionnaire_version: number
  answers: ScreeningAnswers
  temperature_c: number | null
  /** self (her phone) or gate (measured by the nurse). */
  temperature_source: string
  temperature_at: string | null
  /** A route code of the questionnaire (proceed, fever_clinic, isolation, …). */
  route: string
  route_name_zh: string
  route_name_en: string
  instruction_zh: string
  instruction_en: string
  alert: boolean
  /** The rule that chose the route (null: the default route). */
  rule: string | null
  /** self (filled in on her phone) or gate (at the gate). */
  channel: string
  created_at: string
  updated_at: string
}

export interface StatsBucket {
  patients: number
  wait_to_call: { avg_minutes: number | null; p50_minutes: number | null; p90_minutes: number | null }
  call_to_seen: { avg_minutes: number | null; p50_minutes: number | null; p90_minutes: number | null }
}

function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue
    params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** Lists come bare or as {items: […]}; accept both. */
async function list<T>(path: string, auth: AuthSource): Promise<T[]> {
  const data = await request<T[] | { items?: T[] }>('GET', path, { auth })
  if (Array.isArray(data)) return data
  return data?.items ?? []
}

const enc = encodeURIComponent

export function triageApi(auth: AuthSource) {
  const o = { auth }
  const entry = (id: number, action: string, body?: unknown) =>
    request<QueueEntry>('POST', `/api/v1/triage/entries/${enc(id)}/${action}`, { ...o, body })
  const room = (sessionId: number, code: string, action: string) =>
    request<QueueRoom>('POST', `/api/v1/triage/sessions/${enc(sessionId)}/rooms/${enc(code)}/${action}`, o)
  return {
    sessions: (day: string, department?: string) =>
      list<TriageSession>(`/api/v1/triage/sessions${queryString({ day, department })}`, auth),
    queue: (sessionId: number) => request<SessionQueue>('GET', `/api/v1/triage/sessions/${enc(sessionId)}/queue`, o),
    openRoom: (sessionId: number, roomCode: string) =>
      request<QueueRoom>('POST', `/api/v1/triage/sessions/${enc(sessionId)}/rooms`, {
        ...o,
        body: { room_code: roomCode },
      }),
    pauseRoom: (sessionId: number, code: string) => room(sessionId, code, 'pause'),
    resumeRoom: (sessionId: number, code: string) => room(sessionId, code, 'resume'),
    closeRoom: (sessionId: number, code: string) => room(sessionId, code, 'close'),
    callNext: (sessionId: number, roomCode: string) =>
      request<QueueEntry>('POST', `/api/v1/triage/sessions/${enc(sessionId)}/call-next`, {
        ...o,
        body: { room_code: roomCode },
      }),
    recall: (id: number) => entry(id, 'recall'),
    absent: (id: number) => entry(id, 'absent'),
    transfer: (id: number, to: { room_code: string } | { session_id: number }) => entry(id, 'transfer', to),
    confirm: (id: number) => entry(id, 'confirm'),
    finish: (id: number) => entry(id, 'finish'),
    returnVisit: (id: number) => entry(id, 'return'),
    setFlags: (id: number, add: string[], remove: string[]) => entry(id, 'flags', { add, remove }),
    flagDefinitions: () => list<FlagDefinition>('/api/v1/triage/flags', auth),
    assess: (assessment: NewAssessment) =>
      request<Assessment>('POST', '/api/v1/triage/assessments', { ...o, body: assessment }),
    display: (department: string) => request<DisplaySnapshot>('GET', `/api/v1/triage/display/${enc(department)}`, o),
    queueOf: (patientId: number) => list<QueueEntry>(`/api/v1/patients/${enc(patientId)}/queue`, auth),

    questionnaire: () => request<Questionnaire>('GET', '/api/v1/triage/screening/questionnaire', o),
    screen: (patientId: number, version: number, answers: ScreeningAnswers, temperature?: number) =>
      request<Screening>('POST', `/api/v1/patients/${enc(patientId)}/screenings`, {
        ...o,
        body: { questionnaire_version: version, answers, temperature_c: temperature },
      }),
    addTemperature: (screeningId: number, temperature: number) =>
      request<Screening>('POST', `/api/v1/triage/screenings/${enc(screeningId)}/temperature`, {
        ...o,
        body: { temperature_c: temperature },
      }),
    screenings: (day: string, route?: string) =>
      list<Screening>(`/api/v1/triage/screenings${queryString({ day, route })}`, auth),
    screeningsOf: (patientId: number) => list<Screening>(`/api/v1/patients/${enc(patientId)}/screenings`, auth),
  }
}

export type TriageApi = ReturnType<typeof triageApi>

export const staffTriageApi = triageApi(staffAuth)

/** A session's clinic as a directory-style name pair. */
export function sessionClinic(s: TriageSession): { code: string; name_zh: string; name_en: string } {
  return { code: s.clinic_code, name_zh: s.clinic_name_zh ?? s.clinic_code, name_en: s.clinic_name_en ?? '' }
}
