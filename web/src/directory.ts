import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { staffBookingApi, type Directory, type Named } from './booking-api'
import { useErrorText } from './errors'

// The hospital directory (departments, clinics, rooms, practitioners), read
// once per page load: it changes when the hospital reorganises, not while a
// patient books. Public, so the same copy serves the portal and the staff.

const cached = ref<Directory | null>(null)
let pending: Promise<Directory> | null = null

function load(): Promise<Directory> {
  pending ??= staffBookingApi.directory().then(
    (directory) => {
      cached.value = directory
      return directory
    },
    (error: unknown) => {
      pending = null
      throw error
    },
  )
  return pending
}

/** The directory with lookups and names in the current language. */
export function useDirectory() {
  const { t, te, locale } = useI18n()
  const errorText = useErrorText()
  const error = ref('')

  async function reload() {
    error.value = ''
    try {
      await load()
    } catch (e) {
      error.value = errorText(e)
    }
  }
  if (!cached.value) void reload()

  const departments = computed(() => cached.value?.departments ?? [])
  const clinics = computed(() => cached.value?.clinics ?? [])
  const rooms = computed(() => cached.value?.rooms ?? [])
  const practitioners = computed(() => cached.value?.practitioners ?? [])

  /** A directory name in the current language (Chinese when English is missing). */
  const name = (item: Named | null | undefined): string =>
    item ? (locale.value === 'en' && item.name_en ? item.name_en : item.name_zh) : ''
  const title = (code: string): string => (te(`booking.title.${code}`) ? t(`booking.title.${code}`) : code)

  return {
    directory: cached,
    error,
    reload,
    departments,
    clinics,
    rooms,
    practitioners,
    name,
    title,
    department: (code: string) => departments.value.find((d) => d.code === code),
    clinic: (code: string) => clinics.value.find((c) => c.code === code),
    practitioner: (id: number | null | undefined) =>
      id === null || id === undefined ? undefined : practitioners.value.find((p) => p.id === id),
    departmentName: (code: string) => name(departments.value.find((d) => d.code === code)) || code,
    clinicName: (code: string) => name(clinics.value.find((c) => c.code === code)) || code,
    /** "王晓燕 副主任医师". */
    doctorLabel: (doctor: { name: string; title: string } | null | undefined) =>
      doctor ? `${doctor.name} ${title(doctor.title)}` : '',
  }
}
