// A day's clinic sessions with how full each one is, for the slot board:
// from the sessions list where the server has it, else summed from the
// day's slots (public, and on every server).

import {
  isMissingEndpoint,
  type BookingApi,
  type Period,
  type Slot,
  type SlotClinic,
  type SlotPractitioner,
} from './booking-api'

/** The session a slot belongs to, summed over its slots (for the slot board). */
export interface SessionFill {
  id: number
  clinic: SlotClinic
  practitioner: SlotPractitioner | null
  day: string
  period: Period
  start: string
  end: string
  /** Unknown (null) when built from slots: only the sessions endpoint says. */
  status: 'open' | 'stopped' | null
  capacity: number
  booked: number
}

/** Sums a day's slots per clinic session. */
export function sessionsFromSlots(slots: readonly Slot[]): SessionFill[] {
  const byId = new Map<number, SessionFill>()
  for (const slot of slots) {
    const seen = byId.get(slot.session_id)
    if (!seen) {
      byId.set(slot.session_id, {
        id: slot.session_id,
        clinic: slot.clinic,
        practitioner: slot.practitioner,
        day: slot.day,
        period: slot.period,
        start: slot.start,
        end: slot.end,
        status: null,
        capacity: slot.capacity,
        booked: slot.booked,
      })
      continue
    }
    if (slot.start < seen.start) seen.start = slot.start
    if (slot.end > seen.end) seen.end = slot.end
    seen.capacity += slot.capacity
    seen.booked += slot.booked
  }
  return [...byId.values()].sort((a, b) => a.start.localeCompare(b.start) || a.clinic.code.localeCompare(b.clinic.code))
}

/** The slot search answers at most this many slots (the server's limit). */
export const SLOT_SEARCH_LIMIT = 500

// Whether this server lists clinic sessions; learnt from the first call.
let sessionsRoute: 'unknown' | 'present' | 'missing' = 'unknown'

/**
 * A day's clinic sessions with how full they are: from the sessions list
 * where the server has it (it knows stopped sessions), else summed from the
 * day's slots. `truncated`: the slot search hit its limit, so some are missing.
 */
export async function dayFill(api: BookingApi, day: string): Promise<{ items: SessionFill[]; truncated: boolean }> {
  if (sessionsRoute !== 'missing') {
    try {
      const sessions = await api.sessions({ from: day, to: day })
      sessionsRoute = 'present'
      return { items: sessions, truncated: false }
    } catch (e) {
      if (!isMissingEndpoint(e)) throw e
      sessionsRoute = 'missing'
    }
  }
  const slots = await api.slots({ from: day, to: day })
  return { items: sessionsFromSlots(slots), truncated: slots.length >= SLOT_SEARCH_LIMIT }
}
