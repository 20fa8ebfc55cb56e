import { ref, watch, type Ref } from 'vue'
import { staffAuth } from '../../api'
import { useLive } from '../../live'
import { staffTriageApi as api, type SessionQueue } from '../../triage-api'
import { useErrorText } from '../../errors'

// A clinic session's queue, kept current: read over REST when the session
// changes, again on each `queue.<id>` message and after every reconnection.
export function useSessionQueue(sessionId: Ref<number | null>) {
  const errorText = useErrorText()
  const queue = ref<SessionQueue | null>(null)
  const error = ref('')
  let seq = 0

  async function load() {
    const mine = ++seq
    const id = sessionId.value
    if (id === null) {
      queue.value = null
      return
    }
    try {
      const q = await api.queue(id)
      if (mine !== seq) return
      queue.value = q
      error.value = ''
    } catch (e) {
      if (mine === seq) error.value = errorText(e)
    }
  }
  watch(
    sessionId,
    () => {
      queue.value = null
      void load()
    },
    { immediate: true },
  )

  const live = useLive({
    auth: staffAuth,
    topics: () => (sessionId.value === null ? [] : [`queue.${sessionId.value}`]),
    onMessage: () => void load(),
    onOpen: () => void load(),
  })

  return { queue, error, load, live: live.state }
}
