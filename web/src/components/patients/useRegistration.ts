import { onBeforeUnmount, reactive, ref, watch } from 'vue'
import { useI18n } from 'vue-i18n'
import { noFormErrors, useFormErrors, type FormErrors } from '../../errors'
import {
  PATIENT_FIELDS,
  cleanPatient,
  emptyPatient,
  registrationConflict,
  usePatientsApi,
  type NewPatient,
  type Patient,
} from '../../patients-api'

const LIVE_CHECK_DELAY_MS = 400

function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value)
}

/** A phone worth checking: a whole mainland number or a foreign one. */
function completePhone(value: string): string {
  const phone = value.replace(/[\s-]+/g, '')
  return /^1\d{10}$/.test(phone) || /^\+\d{7,15}$/.test(phone) ? phone : ''
}

/**
 * State and submission of a registration form (a new patient, or a new
 * child of a guardian): field errors, likely duplicates to confirm, and a
 * document that is registered already.
 *
 * `liveCheck` (staff only): while the clerk types, once the name and a date
 * of birth or phone are there, look for likely duplicates.
 */
export function useRegistration(
  send: (patient: NewPatient) => Promise<Patient>,
  options: { liveCheck?: boolean; initial?: Partial<NewPatient> } = {},
) {
  const api = usePatientsApi()
  const { t } = useI18n()
  const toErrors = useFormErrors()
  const fresh = (): NewPatient => ({ ...emptyPatient(), ...options.initial })

  const draft = reactive<NewPatient>(fresh())
  const errors = ref<FormErrors>(noFormErrors())
  const busy = ref(false)
  const candidates = ref<Patient[]>([])
  /** The server refused: the clerk must open a candidate or confirm. */
  const blocked = ref(false)
  const existingId = ref<number | null>(null)

  // Answers to older checks are dropped: only the latest typing counts.
  let checkSeq = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  async function checkDuplicates(name: string, birthDate: string, phone: string) {
    const mine = ++checkSeq
    try {
      const found = await api.duplicates({ name, birth_date: birthDate || undefined, phone: phone || undefined })
      if (mine !== checkSeq) return
      candidates.value = found
      blocked.value = false
    } catch {
      // Only a hint: the server checks again when the form is sent.
    }
  }

  if (options.liveCheck) {
    watch(
      () => [draft.name.trim(), isDate(draft.birth_date) ? draft.birth_date : '', completePhone(draft.phone)] as const,
      ([name, birthDate, phone], previous) => {
        if (previous && name === previous[0] && birthDate === previous[1] && phone === previous[2]) return
        clearTimeout(timer)
        if (!name || (!birthDate && !phone)) {
          ++checkSeq
          candidates.value = []
          blocked.value = false
          return
        }
        timer = setTimeout(() => void checkDuplicates(name, birthDate, phone), LIVE_CHECK_DELAY_MS)
      },
    )
    onBeforeUnmount(() => clearTimeout(timer))
  }

  function reset() {
    Object.assign(draft, fresh())
    errors.value = noFormErrors()
    ++checkSeq
    candidates.value = []
    blocked.value = false
    existingId.value = null
  }

  /** Sends the form; resolves with the new patient, or null when it was refused. */
  async function submit(confirmedNotDuplicate = false): Promise<Patient | null> {
    // The server checks for duplicates itself: a pending check would only
    // overwrite its answer.
    clearTimeout(timer)
    ++checkSeq
    busy.value = true
    errors.value = noFormErrors()
    existingId.value = null
    try {
      const body = cleanPatient(draft)
      if (confirmedNotDuplicate) body.confirmed_not_duplicate = true
      const created = await send(body)
      reset()
      return created
    } catch (e) {
      const conflict = registrationConflict(e)
      if (conflict && conflict.candidates.length) {
        candidates.value = conflict.candidates
        blocked.value = true
      } else if (conflict?.documentRegistered) {
        existingId.value = conflict.existingId
        errors.value = { ...toErrors(e, PATIENT_FIELDS), byField: { id_number: [t('patients.documentRegistered')] } }
      } else {
        errors.value = toErrors(e, PATIENT_FIELDS)
      }
      return null
    } finally {
      busy.value = false
    }
  }

  return { draft, errors, busy, candidates, blocked, existingId, submit, reset }
}
