import { computed, onMounted, ref } from 'vue'
import { portalApi, type PortalMe } from '../portal-api'
import { useErrorText } from '../errors'

/** A person she may book for: herself or one of her children. */
export interface FamilyMember {
  id: number
  name: string
  self: boolean
  birth_date: string
}

// Her family as the portal pages that book and list appointments need it:
// herself first, then her children. Empty until she has registered herself.
export function useFamily() {
  const errorText = useErrorText()
  const me = ref<PortalMe | null>(null)
  const loading = ref(false)
  const error = ref('')

  async function load() {
    loading.value = true
    error.value = ''
    try {
      me.value = await portalApi.me()
    } catch (e) {
      error.value = errorText(e)
    } finally {
      loading.value = false
    }
  }
  onMounted(load)

  const members = computed<FamilyMember[]>(() => {
    const family = me.value?.family
    if (!family) return []
    const self = family.patient
    return [
      { id: self.id, name: self.name, self: true, birth_date: self.birth_date },
      ...family.children.map((c) => ({ id: c.id, name: c.name, self: false, birth_date: c.birth_date })),
    ]
  })

  return { me, members, loading, error, load }
}
