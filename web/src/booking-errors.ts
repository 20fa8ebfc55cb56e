import { useI18n } from 'vue-i18n'
import { ApiError } from './api'
import { useErrorText } from './errors'
import { useFormatShort } from './time'

// What a refused booking, cancellation or check-in means for the person in
// front of the screen, from the problem's stable `code` and the times it
// carries (release_at, pool_at, deadline, opens_at, restricted_until). The
// server's own words (English) are the fallback.

/** Codes after which this slot cannot be booked: the person chooses another. */
const SLOT_GONE = ['slot_full', 'quota_exhausted', 'not_released', 'slot_past', 'session_stopped']

export function isSlotGone(error: unknown): boolean {
  return error instanceof ApiError && SLOT_GONE.includes(error.problem.code ?? '')
}

export function useBookingErrorText() {
  const { t, te } = useI18n()
  const errorText = useErrorText()
  const formatShort = useFormatShort()
  const time = (value: unknown) => (typeof value === 'string' ? formatShort(value) : '—')

  return (error: unknown): string => {
    if (!(error instanceof ApiError)) return errorText(error)
    const { code, status } = error.problem
    if (status === 403) return t('booking.errors.forbidden')
    if (!code || !te(`booking.errors.${code}`)) return errorText(error)
    const p = error.problem
    return t(`booking.errors.${code}`, {
      releaseAt: time(p.release_at),
      poolAt: time(p.pool_at),
      deadline: time(p.deadline),
      opensAt: time(p.opens_at),
      until: time(p.restricted_until),
      detail: p.detail ?? '',
    })
  }
}
