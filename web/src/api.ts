// The one place that talks HTTP to the Stork server. Every call sends a
// bearer token: the staff session's by default, or that of another
// `AuthSource` (the patient portal keeps its own). A 401 from any call (other
// than sign-in itself) ends that session through its source's `expire`.

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
  /** Extension members some problems carry (`candidates`, `existing_id`, `retry_after_seconds`, …). */
  [extension: string]: unknown
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

/** Where a call's bearer token comes from, and what a 401 does to that session. */
export interface AuthSource {
  token(): string | null
  /** The server no longer accepts the token: end the session. */
  expire(): void
}

export interface RequestOptions {
  body?: unknown
  /** Don't treat 401 as "session over" (sign-in answers 401 for a wrong password). */
  allow401?: boolean
  /** The session to send; the staff session when not given. */
  auth?: AuthSource
  /** Extra request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>
}

let unauthorizedHandler: () => void = () => {}

/** Called after a 401 has cleared the session (the router sends the user to sign-in). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler
}

/** No token at all: public calls (the portal's sign-in, the SMS simulator). */
export const noAuth: AuthSource = {
  token: () => null,
  expire: () => {},
}

/** The signed-in staff member's session. */
export const staffAuth: AuthSource = {
  token: () => session.token,
  expire: () => {
    clearSession()
    unauthorizedHandler()
  },
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

async function send(method: string, path: string, accept: string, options: RequestOptions): Promise<Response> {
  const auth = options.auth ?? staffAuth
  const headers: Record<string, string> = { ...options.headers, Accept: accept }
  const token = auth.token()
  if (token) headers.Authorization = `Bearer ${token}`
  let body: string | undefined
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  try {
    return await fetch(path, { method, headers, body, credentials: 'same-origin' })
  } catch {
    throw new ApiError({ status: 0, title: 'network' })
  }
}

/** Turns a failed answer into an ApiError (ending the session on a 401). */
async function failure(response: Response, options: RequestOptions): Promise<ApiError> {
  const data = await readBody(response)
  const problem: Problem = isProblemLike(data)
    ? { ...data, status: typeof data.status === 'number' ? data.status : response.status }
    : { status: response.status, title: response.statusText || undefined }
  if (problem.errors !== undefined && !Array.isArray(problem.errors)) delete problem.errors

  if (response.status === 401 && !options.allow401) (options.auth ?? staffAuth).expire()
  return new ApiError(problem)
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, 'application/json, application/problem+json', options)
  if (!response.ok) throw await failure(response, options)
  return (await readBody(response)) as T
}

/**
 * GETs a binary resource (an image that needs the bearer token, so it cannot
 * be an <img src>); show it through URL.createObjectURL.
 */
export async function requestBlob(path: string, options: RequestOptions = {}): Promise<Blob> {
  const response = await send('GET', path, '*/*', options)
  if (!response.ok) throw await failure(response, options)
  try {
    return await response.blob()
  } catch {
    throw new ApiError({ status: 0, title: 'network' })
  }
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
