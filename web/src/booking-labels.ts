import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { PERIODS, type Appointment } from './booking-api'

// Words for the appointment platform's codes (status, channel, period,
// weekday) in the current language; a code this app does not know is shown
// as sent.
export function useBookingLabels() {
  const { t, te } = useI18n()
  const word = (group: string, code: string | number | null | undefined): string => {
    if (code === null || code === undefined || code === '') return ''
    const key = `booking.${group}.${code}`
    return te(key) ? t(key) : String(code)
  }
  return {
    status: (code: string) => word('status', code),
    channel: (code: string) => word('channel', code),
    period: (code: string) => word('period', code),
    weekday: (n: number) => word('weekday', n),
    periodOptions: computed(() => PERIODS.map((value) => ({ value, label: word('period', value) }))),
    weekdayOptions: computed(() =>
      [1, 2, 3, 4, 5, 6, 7].map((n) => ({ value: String(n), label: word('weekday', n) })),
    ),
    statusBadge: (a: Pick<Appointment, 'status'>) =>
      a.status === 'booked' || a.status === 'checked_in'
        ? 'badge-ok'
        : a.status === 'cancelled' || a.status === 'no_show'
          ? 'badge-bad'
          : 'badge-muted',
  }
}
