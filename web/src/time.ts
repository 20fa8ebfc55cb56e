import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
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

function intlLocale(locale: string): string {
  return locale === 'en' ? 'en-GB' : 'zh-CN'
}

function toDate(value: string | number): Date {
  return new Date(typeof value === 'number' && value < 1e12 ? value * 1000 : value)
}

/** Formats an ISO time as the hour and minute in hospital time ("08:30"). */
export function useFormatClock() {
  return (value: string | null | undefined): string => {
    if (!value) return '—'
    const date = toDate(value)
    if (Number.isNaN(date.getTime())) return String(value)
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: HOSPITAL_TIME_ZONE,
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(date)
  }
}

/** Formats an ISO time as a short date and time in hospital time, without year and seconds. */
export function useFormatShort() {
  const { locale } = useI18n()
  return (value: string | null | undefined): string => {
    if (!value) return '—'
    const date = toDate(value)
    if (Number.isNaN(date.getTime())) return String(value)
    return new Intl.DateTimeFormat(intlLocale(locale.value), {
      timeZone: HOSPITAL_TIME_ZONE,
      month: 'short',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    }).format(date)
  }
}

function civil(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return null
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
}

/** A hospital calendar day (YYYY-MM-DD) with its weekday: "11月30日周一", "Mon 30 Nov". */
export function useFormatDay() {
  const { locale } = useI18n()
  return (day: string, withYear = false): string => {
    const date = civil(day)
    if (!date) return day
    return new Intl.DateTimeFormat(intlLocale(locale.value), {
      timeZone: 'UTC',
      year: withYear ? 'numeric' : undefined,
      month: 'short',
      day: 'numeric',
      weekday: 'short',
    }).format(date)
  }
}

/** YYYY-MM-DD plus `days` (which may be negative). */
export function addDays(day: string, days: number): string {
  const date = civil(day)
  if (!date) return day
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** ISO weekday of a YYYY-MM-DD day: 1 Monday … 7 Sunday. */
export function isoWeekday(day: string): number {
  const date = civil(day)
  return date ? ((date.getUTCDay() + 6) % 7) + 1 : 1
}

/** Now (epoch ms), ticking every `intervalMs` while the component is mounted (countdowns). */
export function useNow(intervalMs = 1000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    now.value = Date.now()
    timer = setInterval(() => {
      now.value = Date.now()
    }, intervalMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}

/** What is left of a countdown as m:ss (h:mm:ss past an hour); 0:00 once over. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
