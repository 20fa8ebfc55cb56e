import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { ID_TYPES, RELATIONSHIPS, SEXES, type Patient } from './patients-api'

// Words for the patients module's codes (sex, document type, relationship)
// in the current language; a code this app does not know is shown as sent.
export function usePatientLabels() {
  const { t, te } = useI18n()
  const word = (group: string, code: string | null | undefined): string => {
    if (!code) return ''
    const key = `patients.${group}.${code}`
    return te(key) ? t(key) : code
  }
  const options = (group: string, codes: readonly string[]) =>
    computed(() => codes.map((value) => ({ value, label: word(group, value) })))
  return {
    sex: (code: string | null | undefined) => word('sex', code),
    idType: (code: string | null | undefined) => (code ? word('idType', code) : t('patients.noDocument')),
    relationship: (code: string | null | undefined) => word('relationship', code),
    /** Date of birth, with the time for a newborn. */
    born: (p: Pick<Patient, 'birth_date' | 'birth_time'>) =>
      p.birth_time ? `${p.birth_date} ${p.birth_time}` : p.birth_date,
    sexOptions: options('sex', SEXES),
    idTypeOptions: options('idType', ID_TYPES),
    relationshipOptions: options('relationship', RELATIONSHIPS),
  }
}
