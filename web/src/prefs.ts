import { ref } from 'vue'

// Large-text mode: a class on <html> that scales the root font size (and with
// it every rem-based size, touch targets included). Remembered across visits.

const STORAGE_KEY = 'stork.largeText'
const CLASS_NAME = 'large-text'

function stored(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === '1'
  } catch {
    return false
  }
}

export const largeText = ref(stored())

function apply(on: boolean): void {
  document.documentElement.classList.toggle(CLASS_NAME, on)
}

export function setLargeText(on: boolean): void {
  largeText.value = on
  apply(on)
  try {
    if (on) localStorage.setItem(STORAGE_KEY, '1')
    else localStorage.removeItem(STORAGE_KEY)
  } catch {
    // Storage unavailable: the mode lasts for this page only.
  }
}

apply(largeText.value)
