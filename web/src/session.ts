import { reactive } from 'vue'
import type { User } from './api'

// The signed-in user. The token lives in sessionStorage (gone when the tab
// closes); the user record is fetched again from /auth/me after a reload.

const TOKEN_KEY = 'stork.token'

function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export const session = reactive<{ token: string | null; user: User | null }>({
  token: storedToken(),
  user: null,
})

export function setSession(token: string, user: User): void {
  session.token = token
  session.user = user
  try {
    sessionStorage.setItem(TOKEN_KEY, token)
  } catch {
    // Storage unavailable: the session lasts for this page only.
  }
}

export function setUser(user: User): void {
  session.user = user
}

export function clearSession(): void {
  session.token = null
  session.user = null
  try {
    sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // nothing stored
  }
}
