import { ref } from 'vue'
import { needsBreakGlass } from '../../clinical-api'

// A doctor reading the documents of a patient outside her care (no encounter,
// no referral) is refused with break_glass_required until she gives a reason;
// the read is then repeated with ?break_glass=reason (the server audits it).
// The reason is kept for the page's further reads of the same patient.
export function useBreakGlass() {
  const reason = ref<string | undefined>(undefined)
  const asking = ref(false)
  let retry: (() => Promise<void>) | null = null

  /** Runs `read`; when refused for lack of a reason, asks for one and runs it again with it. */
  async function run(read: (glass?: string) => Promise<void>): Promise<void> {
    try {
      await read(reason.value)
    } catch (e) {
      if (!needsBreakGlass(e)) throw e
      retry = () => read(reason.value)
      asking.value = true
    }
  }

  /** The reason she gave: repeats the refused read with it (the dialog shows its error, if any). */
  async function give(text: string): Promise<void> {
    reason.value = text
    try {
      await retry?.()
    } catch (e) {
      reason.value = undefined
      throw e
    }
    retry = null
    asking.value = false
  }

  function cancel() {
    asking.value = false
    retry = null
  }

  return { reason, asking, run, give, cancel }
}
