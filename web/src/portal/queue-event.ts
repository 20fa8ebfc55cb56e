// A `queue.<session_id>` event (README, "Live updates"): the session's new call
// order as opaque entry ids, with what the estimate needs. Her phone finds
// her own entry in it and works out her place without reading the queue
// over REST (an audited read per phone per call otherwise).

export interface QueueEvent {
  session_id: number
  version: number
  reason: string
  /** Waiting entry ids in call order. */
  waiting: number[]
  open_rooms: number
  minutes_per_patient: number
  /** The list stops short: entries beyond it are not named. */
  truncated: boolean
}

/** The event's data, or null when it lacks what the page needs (an older server: re-read instead). */
export function parseQueueEvent(data: unknown): QueueEvent | null {
  if (typeof data !== 'object' || data === null) return null
  const d = data as Record<string, unknown>
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
  if (!isCount(d.session_id) || !Array.isArray(d.waiting) || !d.waiting.every(isCount)) return null
  if (!isCount(d.open_rooms) || !isCount(d.minutes_per_patient)) return null
  return {
    session_id: d.session_id,
    version: isCount(d.version) ? d.version : 0,
    reason: typeof d.reason === 'string' ? d.reason : '',
    waiting: d.waiting,
    open_rooms: d.open_rooms,
    minutes_per_patient: d.minutes_per_patient,
    truncated: d.truncated === true,
  }
}

export interface Place {
  position: number
  estimated_wait_minutes: number
}

/**
 * Her place from the event, as the server computes it: position is the
 * index + 1; the wait is those ahead × minutes a patient over the open rooms
 * (at least one), whole minutes rounded down. Null when her entry is not in
 * the list (called, gone, or beyond a truncated list): re-read over REST.
 */
export function placeIn(event: QueueEvent, entryId: number): Place | null {
  const index = event.waiting.indexOf(entryId)
  if (index < 0) return null
  return {
    position: index + 1,
    estimated_wait_minutes: Math.floor((index * event.minutes_per_patient) / Math.max(1, event.open_rooms)),
  }
}
