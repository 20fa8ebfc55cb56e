// The patients module's API: the master patient index, families, newborns,
// merge and e-cards. The same calls serve the staff window and the patient
// portal; only the session differs, so the calls are made for one
// `AuthSource` and handed to components through provide/inject.

import { inject, type InjectionKey } from 'vue'
import { ApiError, request, requestBlob, staffAuth, type AuthSource } from './api'

export const SEXES = ['female', 'male'] as const
export const ID_TYPES = [
  'resident_id',
  'passport',
  'hk_macao_permit',
  'taiwan_permit',
  'foreign_permanent_residence',
  'birth_certificate',
] as const
/** The guardian's relationship to the child. */
export const RELATIONSHIPS = ['mother', 'father', 'guardian', 'grandparent'] as const

export interface Patient {
  id: number
  status: 'active'
  card_no: string
  name: string
  sex: string
  birth_date: string
  /** HH:MM, newborns only. */
  birth_time: string | null
  age: number
  /** null: a newborn without a document yet. */
  id_type: string | null
  /** Masked unless `revealed`. */
  id_number: string
  /** Masked unless `revealed`. */
  phone: string
  phone_foreign: boolean
  revealed: boolean
  address: string
  ethnicity: string
  allergies: string
  temporary_identity: boolean
  created_at: string
  updated_at: string
}

/** What a merged record answers: only where it went. */
export interface MergedPatient {
  id: number
  status: 'merged'
  merged_into: number
}

export type PatientRecord = Patient | MergedPatient

export function isMerged(record: PatientRecord): record is MergedPatient {
  return record.status === 'merged'
}

/** A family member with the guardian's relationship to the child. */
export interface FamilyMember extends Patient {
  relationship: string
}

export interface Family {
  patient: Patient
  children: FamilyMember[]
  guardians: FamilyMember[]
}

export interface Card {
  patient_id: number
  card_no: string
  version: number
  /** The signed token the QR code carries. */
  qr: string
  qr_expires_at: string
  svg: string
  png: string
}

export interface NewPatient {
  name: string
  sex: string
  birth_date: string
  id_type: string
  id_number: string
  phone: string
  phone_foreign: boolean
  address: string
  ethnicity: string
  allergies: string
  /** The clerk looked at the likely duplicates: this is someone else. */
  confirmed_not_duplicate?: boolean
}

export interface NewNewborn {
  sex: string
  birth_date: string
  birth_time: string
  relationship: string
}

export interface IdentityCompletion {
  name?: string
  id_type: string
  id_number: string
}

/** A blank registration form. */
export function emptyPatient(): NewPatient {
  return {
    name: '',
    sex: 'female',
    birth_date: '',
    id_type: 'resident_id',
    id_number: '',
    phone: '',
    phone_foreign: false,
    address: '',
    ethnicity: '',
    allergies: '',
  }
}

/** The form's values as the server wants them: text trimmed, no stray flags. */
export function cleanPatient(draft: NewPatient): NewPatient {
  return {
    name: draft.name.trim(),
    sex: draft.sex,
    birth_date: draft.birth_date.trim(),
    id_type: draft.id_type,
    id_number: draft.id_number.replace(/\s+/g, ''),
    phone: draft.phone.replace(/[\s-]+/g, ''),
    phone_foreign: draft.phone_foreign,
    address: draft.address.trim(),
    ethnicity: draft.ethnicity.trim(),
    allergies: draft.allergies.trim(),
  }
}

export const PATIENT_FIELDS = [
  'name',
  'sex',
  'birth_date',
  'id_type',
  'id_number',
  'phone',
  'phone_foreign',
  'address',
  'ethnicity',
  'allergies',
] as const

function patientPath(id: number): string {
  return `/api/v1/patients/${encodeURIComponent(id)}`
}

export function patientsApi(auth: AuthSource) {
  const o = { auth }
  return {
    /** q: a card number, an 18-character resident id, a phone, or the start of a name. */
    search: async (q: string): Promise<Patient[]> => {
      const data = await request<{ items?: Patient[] }>('GET', `/api/v1/patients?${new URLSearchParams({ q })}`, o)
      return data?.items ?? []
    },
    duplicates: async (query: { name: string; birth_date?: string; phone?: string }): Promise<Patient[]> => {
      const params = new URLSearchParams({ name: query.name })
      if (query.birth_date) params.set('birth_date', query.birth_date)
      if (query.phone) params.set('phone', query.phone)
      const data = await request<{ items?: Patient[] }>('GET', `/api/v1/patients/duplicates?${params}`, o)
      return data?.items ?? []
    },
    get: (id: number, reveal = false) =>
      request<PatientRecord>('GET', `${patientPath(id)}${reveal ? '?reveal=true' : ''}`, o),
    family: (id: number) => request<Family>('GET', `${patientPath(id)}/family`, o),
    register: (patient: NewPatient) => request<Patient>('POST', '/api/v1/patients', { ...o, body: patient }),
    addChild: (guardianId: number, child: NewPatient, relationship: string) =>
      request<Patient>('POST', `${patientPath(guardianId)}/children`, { ...o, body: { child, relationship } }),
    linkChild: (guardianId: number, childId: number, relationship: string) =>
      request<Family>('POST', `${patientPath(guardianId)}/children`, {
        ...o,
        body: { child_id: childId, relationship },
      }),
    unlinkChild: (guardianId: number, childId: number, reason: string) =>
      request<void>('POST', `${patientPath(guardianId)}/children/${encodeURIComponent(childId)}/unlink`, {
        ...o,
        body: { reason },
      }),
    registerNewborn: (motherId: number, baby: NewNewborn) =>
      request<Patient>('POST', `${patientPath(motherId)}/newborns`, { ...o, body: baby }),
    completeIdentity: (id: number, identity: IdentityCompletion) =>
      request<Patient>('POST', `${patientPath(id)}/identity`, { ...o, body: identity }),
    /** `survivorId` keeps everything of `mergedId`. */
    merge: (survivorId: number, mergedId: number, reason: string) =>
      request<PatientRecord>('POST', `${patientPath(survivorId)}/merge`, {
        ...o,
        body: { merged_id: mergedId, reason },
      }),
    card: (id: number) => request<Card>('GET', `${patientPath(id)}/card`, o),
    /** The e-card's QR code as an SVG image (needs the bearer token, hence a blob). */
    cardImage: (id: number) => requestBlob(`${patientPath(id)}/card.svg`, o),
    reissueCard: (id: number, reason: string) =>
      request<Card>('POST', `${patientPath(id)}/card/reissue`, { ...o, body: { reason } }),
    /** Staff: the patient an e-card QR code (as a scanner reads it) belongs to. */
    resolveCard: (qr: string) => request<Patient>('POST', '/api/v1/cards/resolve', { ...o, body: { qr } }),
  }
}

export type PatientsApi = ReturnType<typeof patientsApi>

export const staffPatientsApi = patientsApi(staffAuth)

/** Provided by the portal layout so shared components call with the patient's token. */
export const PATIENTS_API: InjectionKey<PatientsApi> = Symbol('patients-api')

export function usePatientsApi(): PatientsApi {
  return inject(PATIENTS_API, staffPatientsApi)
}

/** What a scanner reads off an e-card's QR code (`SC1.…`), as opposed to a typed card number or name. */
export function looksLikeCardQr(text: string): boolean {
  return /^SC\d+\.\S+$/.test(text.trim())
}

/** A registration the server did not accept because of existing records. */
export interface RegistrationConflict {
  /** likely_duplicate: look at these, then confirm it is someone else. */
  candidates: Patient[]
  /** document_registered: the record that already has this document (staff only). */
  existingId: number | null
  documentRegistered: boolean
}

export function registrationConflict(error: unknown): RegistrationConflict | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null
  const { code, candidates, existing_id: existing } = error.problem
  if (code === 'likely_duplicate' && Array.isArray(candidates)) {
    return { candidates: candidates as Patient[], existingId: null, documentRegistered: false }
  }
  if (code === 'document_registered') {
    return { candidates: [], existingId: typeof existing === 'number' ? existing : null, documentRegistered: true }
  }
  return null
}
