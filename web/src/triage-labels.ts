import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import {
  staffTriageApi,
  type Assessment,
  type FlagDefinition,
  type ImplausibleFlag,
  type QueueEntry,
  type ScaleResult,
  type Screening,
  type Vitals,
} from './triage-api'
import { useDirectory } from './directory'

// Names for what the triage API sends as codes: flags (from the server's
// definitions, read once per page load), routes, entry kinds and states,
// rooms (from the directory). Some texts the server sends in English only
// (a scale's level name, the emergency level's name, the warnings about
// unusual values): they are shown from our messages, keyed by scale and
// level or by field, and as the server sent them when we do not know the key.

const flagDefinitions = ref<FlagDefinition[]>([])
let flagsPending: Promise<void> | null = null

/** Loads the flag definitions once (staff only; the portal never shows flags). */
export function loadFlagDefinitions(): Promise<void> {
  flagsPending ??= staffTriageApi.flagDefinitions().then(
    (items) => {
      flagDefinitions.value = items
    },
    () => {
      flagsPending = null
    },
  )
  return flagsPending
}

export function useTriageLabels() {
  const { t, te, locale } = useI18n()
  const dir = useDirectory()
  const en = () => locale.value === 'en'

  const flag = (code: string): string => {
    const def = flagDefinitions.value.find((f) => f.code === code)
    if (!def) return code
    return en() && def.name_en ? def.name_en : def.name_zh
  }
  const route = (s: Pick<Screening, 'route'> & Partial<Pick<Screening, 'route_name_zh' | 'route_name_en'>>): string => {
    if (en() && s.route_name_en) return s.route_name_en
    if (!en() && s.route_name_zh) return s.route_name_zh
    return te(`triage.routes.${s.route}`) ? t(`triage.routes.${s.route}`) : s.route
  }
  const instruction = (s: Pick<Screening, 'instruction_zh' | 'instruction_en'>): string =>
    en() && s.instruction_en ? s.instruction_en : s.instruction_zh
  const state = (s: string): string => (te(`triage.entry.states.${s}`) ? t(`triage.entry.states.${s}`) : s)
  const kind = (k: string): string => (te(`triage.entry.kinds.${k}`) ? t(`triage.entry.kinds.${k}`) : k)
  const room = (code: string | null | undefined, name?: string | null): string => {
    if (name) return name
    if (!code) return '—'
    return dir.rooms.value.find((r) => r.code === code)?.name ?? code
  }
  const ticket = (e: Pick<QueueEntry, 'ticket_no'>): string => t('triage.entry.ticket', { no: e.ticket_no })
  const bilingual = (zh: string | undefined, enName: string | undefined): string =>
    (en() && enName ? enName : zh) ?? ''

  /** Names a scale's level (meows, pews: 1 triggered, 2 routine). */
  const scaleLevel = (s: Pick<ScaleResult, 'id' | 'level' | 'level_name'>): string => {
    const key = `triage.desk.levelNames.${s.id}.${s.level}`
    return te(key) ? t(key) : s.level_name
  }
  /** Names a four-level emergency triage result (1 濒危 … 4 非急症). */
  const emergencyLevel = (e: Assessment['emergency']): string => {
    const key = `triage.desk.levelNames.emergency_triage.${e.level}`
    return te(key) ? t(key) : e.name
  }
  /** "Temperature 41 °C is unusual: measure again", with the value given when known. */
  const implausible = (w: ImplausibleFlag, vitals?: Vitals): string => {
    const field = w.field.replace(/^vitals\./, '')
    const value = (vitals as Record<string, unknown> | undefined)?.[field]
    const withValue = `triage.desk.unusual.${field}`
    if (typeof value === 'number' && te(withValue)) return t(withValue, { value })
    const name = `triage.desk.field.${field}`
    if (te(name)) return t('triage.desk.unusualValue', { field: t(name) })
    return `${w.field}: ${w.message}`
  }

  return {
    flags: flagDefinitions,
    flag,
    route,
    instruction,
    state,
    kind,
    room,
    ticket,
    bilingual,
    scaleLevel,
    emergencyLevel,
    implausible,
  }
}
