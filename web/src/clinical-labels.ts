import { useI18n } from 'vue-i18n'
import { ApiError } from './api'
import { useErrorText } from './errors'
import type { ClinicalDocument, LabResult } from './clinical-api'

// Names for what the clinical API sends as codes (kinds, states, review
// states, verification checks and reasons, abnormal flags) and plain words
// for its refusals: a wrong PIN says how many tries are left, a locked
// token says so.

/** Which way an abnormal result goes, from its HL7 flags (L, LL, <: low; H, HH, >: high). */
export function direction(r: Pick<LabResult, 'abnormal_flags' | 'abnormal'>): 'low' | 'high' | 'abnormal' | null {
  const flags = (r.abnormal_flags ?? []).map((f) => f.toUpperCase())
  if (flags.some((f) => f === 'L' || f === 'LL' || f === '<' || f === 'LU')) return 'low'
  if (flags.some((f) => f === 'H' || f === 'HH' || f === '>' || f === 'HU')) return 'high'
  if (r.abnormal || flags.some((f) => f && f !== 'N')) return 'abnormal'
  return null
}

export const ARROWS = { low: '↓', high: '↑', abnormal: '!' } as const

export function useClinicalLabels() {
  const { t, te } = useI18n()
  const known = (key: string, fallback: string) => (te(key) ? t(key) : fallback)

  const kind = (k: string) => known(`clinical.kind.${k}`, k)
  /** Draft, signed, or signed and replaced by a newer version. */
  const status = (d: Pick<ClinicalDocument, 'status' | 'superseded_by'>) =>
    d.status === 'signed' && d.superseded_by ? t('clinical.status.superseded') : known(`clinical.status.${d.status}`, d.status)
  const review = (s: string) => known(`clinical.review.${s}`, s)
  const check = (name: string) => known(`clinical.verify.checks.${name}`, name)
  const reason = (code: string | null | undefined) => (code ? known(`clinical.verify.reasons.${code}`, code) : '')
  const flag = (r: LabResult) => {
    const d = direction(r)
    return d ? `${ARROWS[d]} ${t(`clinical.result.${d}`)}` : ''
  }
  const role = (r: string) => known(`clinical.verify.roles.${r}`, r)
  return { kind, status, review, check, reason, flag, role }
}

/** Text for a refused clinical call, in the words of the page. */
export function useClinicalErrorText() {
  const { t, te } = useI18n()
  const errorText = useErrorText()
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      const code = error.problem.code
      if (code === 'wrong_pin') {
        const left = error.problem.attempts_left
        return typeof left === 'number' ? t('clinical.errors.wrongPinLeft', { n: left }) : t('clinical.errors.wrong_pin')
      }
      if (code && te(`clinical.errors.${code}`)) return t(`clinical.errors.${code}`)
    }
    return errorText(error)
  }
}

/** Whether the signing key is locked after too many wrong PINs. */
export function isPinLocked(error: unknown): boolean {
  return error instanceof ApiError && error.problem.code === 'pin_locked'
}

/**
 * Field errors of a content form, keyed by their path inside `content`
 * ("diagnoses.1.code", "items.0.dose", "complaint"), from the server's
 * "content.items[0].dose".
 */
export function contentErrors(error: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  if (!(error instanceof ApiError)) return out
  for (const e of error.problem.errors ?? []) {
    if (typeof e.field !== 'string') continue
    const path = e.field
      .replace(/^[$/.]+/, '')
      .replace(/^content[./]?/, '')
      .replace(/\[(\d+)\]/g, '.$1')
      .replace(/^\./, '')
    ;(out[path || 'content'] ??= []).push(e.message)
  }
  return out
}
