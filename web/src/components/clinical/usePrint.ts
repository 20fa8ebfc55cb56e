import { ref } from 'vue'
import { useClinicalErrorText } from '../../clinical-labels'

// Opens the server's printable HTML in a new window. It needs the bearer
// token, so it is fetched here and shown from a blob URL; the window is
// opened at the click (before the fetch), which pop-up blockers allow.
export function usePrint() {
  const errorText = useClinicalErrorText()
  const error = ref('')
  const busy = ref(false)

  async function print(fetchHtml: () => Promise<Blob>) {
    error.value = ''
    busy.value = true
    const win = window.open('', '_blank')
    try {
      const blob = await fetchHtml()
      const url = URL.createObjectURL(new Blob([blob], { type: 'text/html;charset=utf-8' }))
      if (win) win.location.href = url
      else window.location.href = url
      // The new window has loaded it by then; keep memory from growing.
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
    } catch (e) {
      win?.close()
      error.value = errorText(e)
    } finally {
      busy.value = false
    }
  }
  return { print, error, busy }
}
