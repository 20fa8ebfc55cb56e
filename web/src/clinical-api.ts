// The clinical documents module's API (issue 7, docs/clinical-api.md):
// signed outpatient records, e-prescriptions, lab and examination reports,
// their signatures and verification, the pharmacist's review, and the public
// verification a printed QR code points at. Staff pages call it with the
// staff session; the portal's report pages with the patient's
// (`clinicalApi(portalAuth)`). Times are UTC milliseconds.

import { ApiError, noAuth, request, requestBlob, staffAuth, type AuthSource } from './api'

export const DOCUMENT_KINDS = ['record', 'prescription', 'lab_report', 'exam_report'] as const
export type DocumentKind = (typeof DOCUMENT_KINDS)[number]
export type DocumentStatus = 'draft' | 'signed'
export type ReviewStatus = 'none' | 'pending' | 'approved' | 'rejected'

export interface Diagnosis {
  /** ICD-10, e.g. O24.4. */
  code: string
  text: string
}

export interface RecordContent {
  complaint: string
  history: string
  examination: string
  diagnoses: Diagnosis[]
  plan: string
}

export interface PrescriptionItem {
  drug: string
  strength: string
  dose: number
  dose_unit: string
  route: string
  frequency: string
  days: number
  quantity: number
  unit: string
}

export interface PrescriptionContent {
  items: PrescriptionItem[]
  note?: string
}

export interface CodedText {
  code: string
  text: string
}

export interface LabResult {
  code: string
  name: string
  value: string
  numeric?: number | null
  unit?: string
  reference_range?: string
  /** HL7 table 0078: L, H, LL, HH, A, AA, N … */
  abnormal_flags?: string[]
  abnormal?: boolean
  status?: string
}

export interface LabReportContent {
  service?: CodedText
  accession?: string
  observed_at?: number | null
  results: LabResult[]
  conclusion?: string
}

export interface ExamReportContent {
  service?: CodedText
  accession?: string
  observed_at?: number | null
  findings?: string
  impression?: string
}

export type DocumentContent = RecordContent | PrescriptionContent | LabReportContent | ExamReportContent

export interface Signer {
  user_id: number
  name: string
  certificate_serial?: string
  algorithm?: string
}

export interface Review {
  status: ReviewStatus
  pharmacist?: string | null
  at?: number | null
  reason?: string | null
}

/** Every read answers this shape. */
export interface ClinicalDocument {
  id: number
  kind: DocumentKind
  status: DocumentStatus
  version: number
  replaces: number | null
  superseded_by: number | null
  patient: { id: number; name: string }
  /** `name` may be missing: the signer's name says who wrote it once signed. */
  author: { user_id: number | null; name?: string } | null
  content: DocumentContent
  created_at: number
  updated_at: number
  signed_at: number | null
  signer: Signer | null
  review?: Review | null
  dispensed_at?: number | null
  released?: boolean
  abnormal_count?: number
  verify_code?: string | null
}

export interface VerifyCheck {
  name: string
  ok: boolean
  message?: string
}

export interface SignatureInfo {
  role: string
  signer: string
  signed_at: number
  algorithm: string
  certificate_serial: string
  timestamp_at?: number | null
}

export interface Verification {
  valid: boolean
  reason: string | null
  checks: VerifyCheck[]
  signatures: SignatureInfo[]
}

/** What the public verify page (a printed QR) shows. */
export interface PublicVerification {
  valid: boolean
  reason: string | null
  kind: DocumentKind
  signer: string | null
  signed_at: number | null
  /** Masked ("张*丽"). */
  patient: string
  version: number
  superseded: boolean
}

export interface SigningStatus {
  enrolled: boolean
  algorithm?: string
  storage?: 'pkcs11' | 'keystore'
  certificate_serial?: string
  subject?: string
  not_after?: number | string
  status?: string
  failed_pins?: number
  locked?: boolean
}

export interface ReviewDecision {
  decision: 'approve' | 'reject'
  reason?: string
  pin?: string
}

type Listed<T> = T[] | { documents?: T[]; items?: T[] } | undefined

/** Lists come as `{documents: [...]}`; `{items}` or a bare array are accepted too. */
function items<T>(data: Listed<T>): T[] {
  if (Array.isArray(data)) return data
  return data?.documents ?? data?.items ?? []
}

const id = (n: number) => encodeURIComponent(n)

/** `?break_glass=reason` when she gave one (a doctor reading outside her care, audited). */
function glass(reason?: string): string {
  return reason ? `?${new URLSearchParams({ break_glass: reason })}` : ''
}

export function clinicalApi(auth: AuthSource) {
  const o = { auth }
  return {
    list: async (patientId: number, kind?: DocumentKind, breakGlass?: string): Promise<ClinicalDocument[]> => {
      const q = new URLSearchParams({ patient_id: String(patientId) })
      if (kind) q.set('kind', kind)
      if (breakGlass) q.set('break_glass', breakGlass)
      return items(await request<Listed<ClinicalDocument>>('GET', `/api/v1/documents?${q}`, o))
    },
    get: (docId: number, breakGlass?: string) =>
      request<ClinicalDocument>('GET', `/api/v1/documents/${id(docId)}${glass(breakGlass)}`, o),
    create: (kind: DocumentKind, patientId: number, content: DocumentContent) =>
      request<ClinicalDocument>('POST', '/api/v1/documents', { ...o, body: { kind, patient_id: patientId, content } }),
    update: (docId: number, content: DocumentContent) =>
      request<ClinicalDocument>('PUT', `/api/v1/documents/${id(docId)}`, { ...o, body: { content } }),
    discard: (docId: number) => request<void>('DELETE', `/api/v1/documents/${id(docId)}`, o),
    sign: (docId: number, pin: string) =>
      request<ClinicalDocument>('POST', `/api/v1/documents/${id(docId)}/sign`, { ...o, body: { pin } }),
    revise: (docId: number) => request<ClinicalDocument>('POST', `/api/v1/documents/${id(docId)}/revise`, o),
    verify: (docId: number, breakGlass?: string) =>
      request<Verification>('GET', `/api/v1/documents/${id(docId)}/verify${glass(breakGlass)}`, o),
    /** The printable HTML (with the verification QR); needs the token, so it comes as a blob. */
    print: (docId: number, breakGlass?: string) =>
      requestBlob(`/api/v1/documents/${id(docId)}/print${glass(breakGlass)}`, o),
    pendingReports: async () =>
      items(await request<Listed<ClinicalDocument>>('GET', '/api/v1/documents/pending-reports', o)),
    reviewQueue: async () =>
      items(await request<Listed<ClinicalDocument>>('GET', '/api/v1/prescriptions/review-queue', o)),
    review: (docId: number, decision: ReviewDecision) =>
      request<ClinicalDocument>('POST', `/api/v1/documents/${id(docId)}/review`, { ...o, body: decision }),
    dispense: (docId: number) => request<ClinicalDocument>('POST', `/api/v1/documents/${id(docId)}/dispense`, o),
    signingMe: () => request<SigningStatus>('GET', '/api/v1/signing/me', o),
  }
}

export type ClinicalApi = ReturnType<typeof clinicalApi>
export const staffClinicalApi = clinicalApi(staffAuth)

/** No sign-in: what anyone holding the printed paper may see. */
export function publicVerify(docId: number, code: string) {
  return request<PublicVerification>(
    'GET',
    `/api/v1/public/verify/${id(docId)}?${new URLSearchParams({ code })}`,
    { auth: noAuth },
  )
}

/** A read refused until the doctor gives a break-glass reason. */
export function needsBreakGlass(error: unknown): boolean {
  return error instanceof ApiError && error.problem.code === 'break_glass_required'
}

export function emptyRecord(): RecordContent {
  return { complaint: '', history: '', examination: '', diagnoses: [{ code: '', text: '' }], plan: '' }
}

/** An item row as the editor keeps it: numbers as typed, turned into numbers on save. */
export interface ItemDraft {
  drug: string
  strength: string
  dose: string
  dose_unit: string
  route: string
  frequency: string
  days: string
  quantity: string
  unit: string
}

export function emptyItem(): ItemDraft {
  return { drug: '', strength: '', dose: '', dose_unit: '', route: '', frequency: '', days: '', quantity: '', unit: '' }
}

export function itemDraft(item: PrescriptionItem): ItemDraft {
  return {
    ...item,
    dose: String(item.dose ?? ''),
    days: String(item.days ?? ''),
    quantity: String(item.quantity ?? ''),
  }
}

/** Numbers as numbers; what is not a number goes as typed, so the server names the field. */
function numberOr(text: string): number {
  const trimmed = text.trim()
  const n = Number(trimmed)
  return trimmed !== '' && Number.isFinite(n) ? n : (trimmed as unknown as number)
}

export function itemContent(draft: ItemDraft): PrescriptionItem {
  return {
    drug: draft.drug.trim(),
    strength: draft.strength.trim(),
    dose: numberOr(draft.dose),
    dose_unit: draft.dose_unit.trim(),
    route: draft.route.trim(),
    frequency: draft.frequency.trim(),
    days: numberOr(draft.days),
    quantity: numberOr(draft.quantity),
    unit: draft.unit.trim(),
  }
}

export const isReport = (kind: DocumentKind) => kind === 'lab_report' || kind === 'exam_report'
