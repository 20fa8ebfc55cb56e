// The patient portal's own calls: sign-in by text-message code, her family,
// sign-out, and the SMS simulator's outbox (demo only).

import { ApiError, noAuth, request } from './api'
import type { Family } from './patients-api'
import { portalAuth } from './portal-session'

export interface CodeSent {
  /** Masked. */
  phone: string
  expires_at: string
  retry_after_seconds: number
}

export interface PortalLogin {
  token: string
  expires_at: string
  account_id: number
  /** null until she registers herself. */
  patient_id: number | null
}

export interface PortalMe {
  account_id: number
  family: Family | null
}

export interface SmsMessage {
  id: number
  phone: string
  text: string
  sent_at: string
}

/** Foreign numbers are written with their country code (+852…). */
function isForeign(phone: string): boolean {
  return phone.startsWith('+')
}

export const portalApi = {
  requestCode: (phone: string) =>
    request<CodeSent>('POST', '/api/v1/portal/otp', {
      auth: noAuth,
      body: { phone, phone_foreign: isForeign(phone) },
    }),
  login: (phone: string, code: string) =>
    request<PortalLogin>('POST', '/api/v1/portal/login', { auth: noAuth, body: { phone, code }, allow401: true }),
  me: () => request<PortalMe>('GET', '/api/v1/portal/me', { auth: portalAuth }),
  logout: () => request<void>('POST', '/api/v1/auth/logout', { auth: portalAuth, allow401: true }),
  /** What the simulated SMS gateway "delivered" to this phone, newest first. */
  outbox: async (phone: string): Promise<SmsMessage[]> => {
    const data = await request<{ items?: SmsMessage[] }>(
      'GET',
      `/api/v1/sms-simulator/outbox?${new URLSearchParams({ phone })}`,
      { auth: noAuth },
    )
    return data?.items ?? []
  },
}

/** Seconds to wait before asking again, from a 429 too_many_requests. */
export function retryAfterSeconds(error: unknown): number | null {
  if (!(error instanceof ApiError)) return null
  const value = error.problem.retry_after_seconds
  return typeof value === 'number' && value > 0 ? Math.ceil(value) : null
}
