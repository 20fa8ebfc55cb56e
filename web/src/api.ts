// The one place that talks HTTP to the Stork server. Every call sends the
// session's bearer token; a 401 from any call (other than sign-in itself)
// ends the session and hands control to `onUnauthorized`.

import { session, clearSession } from './session'

export interface FieldError {
  field: string
  message: string
}

/** RFC 7807 problem details as the Stork server sends them. */
export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  code?: string
  errors?: FieldError[]
  request_id?: string
}

export class ApiError extends Error {
  readonly problem: Problem

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`)
    this.name = 'ApiError'
    this.problem = problem
  }

  get status(): number {
    return this.problem.status
  }

  /** Status 0: the request never got an HTTP answer. */
  get isNetworkError(): boolean {
    return this.problem.status === 0
  }
}

export interface User {
  id: number
  username: string
  display_name: string
  roles: string[]
  disabled?: boolean
  /** Seeded by `stork seed-demo` with the published password. */
  demo?: boolean
  /** Set while too many failed sign-ins keep the account locked (UTC). */
  locked_until?: string | null
  created_at?: string
}

export interface LoginResponse {
  token: string
  expires_at: string
  user: User
}

export interface AuditEntry {
  id: number
  at: string | number
  actor: string | null
  action: string
  entity: string | null
  entity_id: string | number | null
  ip: string | null
  outcome: string
  detail?: string | null
  request_id?: string | null
}

export interface AuditPage {
  items: AuditEntry[]
}

export interface ChainVerification {
  ok: boolean
  checked: number
  first_broken_id?: number
  reason?: string
}

export interface NewUser {
  username: string
  display_name: string
  password: string
  roles: string[]
}

export interface UserPatch {
  display_name?: string
  roles?: string[]
  disabled?: boolean
}

interface RequestOptions {
  body?: unknown
  /** Don't treat 401 as "session over" (sign-in answers 401 for a wrong password). */
  allow401?: boolean
}

let unauthorizedHandler: () => void = () => {}

/** Called after a 401 has cleared the session (the router sends the user to sign-in). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler
}

function isProblemLike(value: unknown): value is Partial<Problem> {
  return typeof value === 'object' && value !== null
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined
  const text = await response.text()
  if (!text) return undefined
  const type = response.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }

  let response: Response
  try {
    response = await fetch(path, { method, headers, body, credentials: 'same-origin' })
  } catch {
    throw new ApiError({ status: 0, title: 'network' })
  }

  const data = await readBody(response)
  if (response.ok) return data as T

  const problem: Problem = isProblemLike(data)
    ? { ...data, status: typeof data.status === 'number' ? data.status : response.status }
    : { status: response.status, title: response.statusText || undefined }
  if (problem.errors !== undefined && !Array.isArray(problem.errors)) delete problem.errors

  if (response.status === 401 && !options.allow401) {
    clearSession()
    unauthorizedHandler()
  }
  throw new ApiError(problem)
}

export const api = {
  login: (username: string, password: string) =>
    request<LoginResponse>('POST', '/api/v1/auth/login', { body: { username, password }, allow401: true }),
  me: () => request<User>('GET', '/api/v1/auth/me'),
  logout: () => request<void>('POST', '/api/v1/auth/logout'),

  listUsers: async (): Promise<User[]> => {
    // The list may come bare or wrapped as {items: [...]}; accept both.
    const data = await request<User[] | { items?: User[]; users?: User[] }>('GET', '/api/v1/users')
    if (Array.isArray(data)) return data
    return data?.items ?? data?.users ?? []
  },
  createUser: (user: NewUser) => request<User>('POST', '/api/v1/users', { body: user }),
  updateUser: (id: number, patch: UserPatch) =>
    request<User>('PATCH', `/api/v1/users/${encodeURIComponent(id)}`, { body: patch }),
  resetPassword: (id: number, password: string) =>
    request<void>('POST', `/api/v1/users/${encodeURIComponent(id)}/password`, { body: { password } }),

  audit: (limit: number, beforeId?: number) => {
    const query = new URLSearchParams({ limit: String(limit) })
    if (beforeId !== undefined) query.set('before_id', String(beforeId))
    return request<AuditPage>('GET', `/api/v1/audit?${query}`)
  },
  verifyAudit: () => request<ChainVerification>('GET', '/api/v1/audit/verify'),
}
