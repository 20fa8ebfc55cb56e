import { onBeforeUnmount, onMounted } from 'vue'

/**
 * Runs `task` every `intervalMs` while the component is mounted and the tab
 * is visible (a phone in a pocket does not poll), and once more as soon as
 * the tab shows again. A run never overlaps the previous one.
 */
export function usePolling(task: () => Promise<unknown>, intervalMs: number): void {
  let timer: ReturnType<typeof setInterval> | undefined
  let running = false

  async function run() {
    if (running || document.hidden) return
    running = true
    try {
      await task()
    } finally {
      running = false
    }
  }

  function onVisibility() {
    if (!document.hidden) void run()
  }

  onMounted(() => {
    timer = setInterval(() => void run(), intervalMs)
    document.addEventListener('visibilitychange', onVisibility)
  })
  onBeforeUnmount(() => {
    clearInterval(timer)
    document.removeEventListener('visibilitychange', onVisibility)
  })
}
