import { reactive } from 'vue'
import type { AuthSource } from './api'

// The patient's session on the phone portal, kept apart from the staff
// session: its own localStorage key (a patient stays signed in on her own
// phone until the token expires) and its own 401 handling. The phone is kept
// too, because she registers herself with the number she signed in with.

const STORAGE_KEY = 'stork.portal'

export interface PortalSessionData {
  token: string
  expires_at: string
  account_id: number
  phone: string
}

function isSessionData(value: unknown): value is PortalSessionData {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.token === 'string' &&
    typeof v.expires_at === 'string' &&
    typeof v.account_id === 'number' &&
    typeof v.phone === 'string'
  )
}

function expired(data: PortalSessionData): boolean {
  const until = Date.parse(data.expires_at)
  return Number.isFinite(until) && until <= Date.now()
}

function stored(): PortalSessionData | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (!raw) return null
    const data: unknown = JSON.parse(raw)
    if (!isSessionData(data) || expired(data)) {
      localStorage.removeItem(STORAGE_KEY)
      return null
    }
    return data
  } catch {
    return null
  }
}

export const portalSession = reactive<{ data: PortalSessionData | null }>({ data: stored() })

export function setPortalSession(data: PortalSessionData): void {
  portalSession.data = data
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(data))
  } catch {
    // Storage unavailable: the session lasts for this page only.
  }
}

export function clearPortalSession(): void {
  portalSession.data = null
  try {
    localStorage.removeItem(STORAGE_KEY)
  } catch {
    // nothing stored
  }
}

let expiredHandler: () => void = () => {}

/** Called after a 401 has ended the portal session (the router goes to the portal sign-in). */
export function onPortalExpired(handler: () => void): void {
  expiredHandler = handler
}

/** Sends the patient's token; a 401 ends her session (never the staff one). */
export const portalAuth: AuthSource = {
  token: () => portalSession.data?.token ?? null,
  expire: () => {
    clearPortalSession()
    expiredHandler()
  },
}
