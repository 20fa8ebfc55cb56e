import { useI18n } from 'vue-i18n'

/** The hospital's time zone: times are stored in UTC and shown here. */
export const HOSPITAL_TIME_ZONE = 'Asia/Shanghai'

/** Formats an ISO time (or epoch seconds / milliseconds) in the current language. */
export function useFormatTime() {
  const { locale } = useI18n()
  return (value: string | number | null | undefined): string => {
    if (value === null || value === undefined || value === '') return '—'
    const date = new Date(typeof value === 'number' && value < 1e12 ? value * 1000 : value)
    if (Number.isNaN(date.getTime())) return String(value)
    return new Intl.DateTimeFormat(locale.value === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: HOSPITAL_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    }).format(date)
  }
}

/** Today's date in the hospital's time zone, as YYYY-MM-DD. */
export function hospitalToday(now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: HOSPITAL_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}
