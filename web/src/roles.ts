// Staff roles, the pages each role may open, and the work each role will get
// in later releases. Everything here is presentation only: the server decides
// what a role may actually read or change.

export const STAFF_ROLES = [
  'admin',
  'clerk',
  'triage_nurse',
  'doctor',
  'pharmacist',
  'mdt_coordinator',
  'dispatcher',
  'manager',
  'auditor',
  'display',
  'interface',
] as const

export type Role = (typeof STAFF_ROLES)[number]

/** Pages of the app that exist today, besides each role's home. */
export type PageKey =
  | 'gate'
  | 'triage'
  | 'doctor'
  | 'records'
  | 'reports'
  | 'review'
  | 'display'
  | 'window'
  | 'patients'
  | 'board'
  | 'billing'
  | 'schedules'
  | 'users'
  | 'audit'

const ROLE_PAGES: Record<Role, readonly PageKey[]> = {
  admin: ['schedules', 'board', 'users', 'audit'],
  clerk: ['window', 'patients', 'board'],
  triage_nurse: ['gate', 'triage', 'display', 'patients', 'board'],
  doctor: ['doctor', 'records', 'reports'],
  pharmacist: ['review'],
  mdt_coordinator: [],
  dispatcher: [],
  manager: ['board', 'billing'],
  auditor: ['audit'],
  // A waiting-area screen: nothing but its display.
  display: ['display'],
  // A LIS or PACS posting reports: a system account with no pages.
  interface: [],
}

/**
 * Upcoming work of each role, as keys under `tasks.<role>` in the message
 * files. These are shown as a plain list ("coming in a later release"),
 * never as pretend data.
 */
export const ROLE_TASKS: Record<Role, readonly string[]> = {
  admin: ['roles', 'keys', 'schedules'],
  clerk: ['appointments'],
  triage_nurse: ['fever'],
  doctor: ['prescriptions', 'online', 'mdt'],
  pharmacist: ['delivery'],
  mdt_coordinator: ['referrals', 'teams', 'clinics', 'followup'],
  dispatcher: ['ambulances', 'vitals', 'eta', 'prepare'],
  manager: ['daily', 'waiting', 'satisfaction', 'crowding'],
  auditor: ['filter', 'export'],
  display: ['pharmacy'],
  interface: ['status'],
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value)
}

/**
 * The user's staff roles in this app's fixed order (that of STAFF_ROLES), so
 * the home and the nav do not depend on how the server sorts them.
 */
export function staffRoles(roles: readonly string[] | undefined): Role[] {
  const held = roles ?? []
  return STAFF_ROLES.filter((role) => held.includes(role))
}

/** The role whose home `/home` opens: the first staff role the user holds. */
export function primaryRole(roles: readonly string[] | undefined): Role | undefined {
  return staffRoles(roles)[0]
}

/** Pages (besides the homes) any of the user's roles may open, in nav order. */
export function pagesFor(roles: readonly string[] | undefined): PageKey[] {
  const held = staffRoles(roles)
  const order: PageKey[] = [
    'gate',
    'triage',
    'doctor',
    'records',
    'reports',
    'review',
    'display',
    'window',
    'patients',
    'board',
    'billing',
    'schedules',
    'users',
    'audit',
  ]
  return order.filter((page) => held.some((role) => ROLE_PAGES[role].includes(page)))
}

export function pagesOfRole(role: Role): readonly PageKey[] {
  return ROLE_PAGES[role]
}

export function canOpen(page: PageKey, roles: readonly string[] | undefined): boolean {
  return pagesFor(roles).includes(page)
}

/** Whether the user holds this staff role (for showing controls the server reserves to it). */
export function holdsRole(role: Role, roles: readonly string[] | undefined): boolean {
  return (roles ?? []).includes(role)
}
