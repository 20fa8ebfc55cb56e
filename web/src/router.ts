import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import { api, onUnauthorized } from './api'
import { session, setUser, clearSession } from './session'
import { canOpen, isRole, primaryRole, staffRoles, type PageKey } from './roles'
import { onPortalExpired, portalSession } from './portal-session'

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without signing in. */
    public?: boolean
    /** A page only some roles may open. */
    page?: PageKey
    /** The patient portal: its own session, never the staff one. */
    portal?: boolean
  }
}

export function homeOf(roles: readonly string[] | undefined): RouteLocationRaw {
  const role = primaryRole(roles)
  return role ? { name: 'role-home', params: { role } } : { name: 'no-role' }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
    {
      path: '/portal',
      component: () => import('./portal/PortalLayout.vue'),
      meta: { public: true, portal: true },
      children: [
        { path: '', name: 'portal', component: () => import('./portal/PortalHome.vue') },
        { path: 'login', name: 'portal-login', component: () => import('./portal/PortalLogin.vue') },
        { path: 'book', name: 'portal-book', component: () => import('./portal/PortalBook.vue') },
        {
          path: 'appointments',
          name: 'portal-appointments',
          component: () => import('./portal/PortalAppointments.vue'),
        },
        { path: 'bills', name: 'portal-bills', component: () => import('./portal/PortalBills.vue') },
        { path: 'queue', name: 'portal-queue', component: () => import('./portal/PortalQueue.vue') },
        { path: 'screening', name: 'portal-screening', component: () => import('./portal/PortalScreening.vue') },
        { path: 'reports', name: 'portal-reports', component: () => import('./portal/PortalReports.vue') },
        {
          path: 'reports/:id(\\d+)',
          name: 'portal-report',
          component: () => import('./portal/PortalReport.vue'),
          props: true,
        },
      ],
    },
    {
      // What the QR code on a printed document opens: for anyone, no sign-in.
      path: '/verify/:id',
      name: 'public-verify',
      component: () => import('./pages/PublicVerify.vue'),
      props: true,
      meta: { public: true },
    },
    {
      // The waiting area's screen: full-screen, without the app's header.
      path: '/display/:department',
      name: 'display-screen',
      component: () => import('./pages/DisplayScreen.vue'),
      props: true,
      meta: { page: 'display' },
    },
    {
      path: '/',
      component: () => import('./components/AppLayout.vue'),
      children: [
        { path: '', redirect: '/home' },
        {
          // Resolves to the home of the user's (first) staff role.
          path: 'home',
          name: 'home',
          component: () => import('./pages/RoleHome.vue'),
          beforeEnter: () => homeOf(session.user?.roles),
        },
        {
          path: 'home/:role',
          name: 'role-home',
          component: () => import('./pages/RoleHome.vue'),
          props: true,
          beforeEnter: (to) => {
            const role = to.params.role
            return isRole(role) && staffRoles(session.user?.roles).includes(role) ? true : homeOf(session.user?.roles)
          },
        },
        { path: 'no-role', name: 'no-role', component: () => import('./pages/NoRole.vue') },
        { path: 'users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { page: 'users' } },
        { path: 'audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { page: 'audit' } },
        {
          path: 'patients',
          name: 'patients',
          component: () => import('./pages/PatientsPage.vue'),
          meta: { page: 'patients' },
        },
        {
          path: 'patients/:id(\\d+)',
          name: 'patient',
          component: () => import('./pages/PatientDetail.vue'),
          props: true,
          meta: { page: 'patients' },
        },
        {
          path: 'patients/:id(\\d+)/book',
          name: 'patient-book',
          component: () => import('./pages/PatientBook.vue'),
          props: true,
          meta: { page: 'patients' },
        },
        {
          path: 'schedules',
          name: 'schedules',
          component: () => import('./pages/ScheduleManager.vue'),
          meta: { page: 'schedules' },
        },
        { path: 'window', name: 'window', component: () => import('./pages/WindowPage.vue'), meta: { page: 'window' } },
        {
          path: 'billing',
          name: 'billing',
          component: () => import('./pages/BillingReport.vue'),
          meta: { page: 'billing' },
        },
        { path: 'gate', name: 'gate', component: () => import('./pages/GateDesk.vue'), meta: { page: 'gate' } },
        { path: 'triage', name: 'triage', component: () => import('./pages/TriageDesk.vue'), meta: { page: 'triage' } },
        { path: 'doctor', name: 'doctor', component: () => import('./pages/DoctorQueue.vue'), meta: { page: 'doctor' } },
        { path: 'records', name: 'records', component: () => import('./pages/ClinicalRecords.vue'), meta: { page: 'records' } },
        {
          path: 'documents/new',
          name: 'document-new',
          component: () => import('./pages/ClinicalDocument.vue'),
          meta: { page: 'records' },
        },
        {
          path: 'documents/:id(\\d+)',
          name: 'document',
          component: () => import('./pages/ClinicalDocument.vue'),
          props: true,
          meta: { page: 'records' },
        },
        { path: 'reports', name: 'reports', component: () => import('./pages/PendingReports.vue'), meta: { page: 'reports' } },
        { path: 'review', name: 'review', component: () => import('./pages/ReviewQueue.vue'), meta: { page: 'review' } },
        {
          path: 'review/:id(\\d+)',
          name: 'review-prescription',
          component: () => import('./pages/PrescriptionReview.vue'),
          props: true,
          meta: { page: 'review' },
        },
        {
          path: 'display',
          name: 'display',
          component: () => import('./pages/DisplayPicker.vue'),
          meta: { page: 'display' },
        },
        { path: 'slot-board', name: 'board', component: () => import('./pages/SlotBoard.vue'), meta: { page: 'board' } },
        { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFound.vue') },
      ],
    },
  ],
})

router.beforeEach(async (to) => {
  if (to.meta.portal) {
    const signedIn = portalSession.data !== null
    if (to.name === 'portal-login') return signedIn ? { name: 'portal' } : true
    return signedIn ? true : { name: 'portal-login' }
  }
  if (to.meta.public) {
    // A signed-in user who opens /login goes home instead.
    if (to.name === 'login' && session.token && session.user) return homeOf(session.user.roles)
    return true
  }
  if (!session.token) {
    return { name: 'login', query: to.fullPath === '/' || to.fullPath === '/home' ? {} : { redirect: to.fullPath } }
  }
  if (!session.user) {
    try {
      setUser(await api.me())
    } catch {
      // A 401 has already cleared the session; anything else: sign in again.
      clearSession()
      return { name: 'login', query: { redirect: to.fullPath } }
    }
  }
  if (to.meta.page && !canOpen(to.meta.page, session.user?.roles)) return homeOf(session.user?.roles)
  return true
})

onUnauthorized(() => {
  const current = router.currentRoute.value
  // Before the first navigation has finished, the guard above handles it.
  if (current.name === 'login' || current.matched.length === 0) return
  void router.replace({ name: 'login', query: { expired: '1', redirect: current.fullPath } })
})

onPortalExpired(() => {
  const current = router.currentRoute.value
  if (current.name === 'portal-login') return
  void router.replace({ name: 'portal-login', query: { expired: '1' } })
})
