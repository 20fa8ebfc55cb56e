import { onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue'
import type { AuthSource } from './api'

// Live updates over the server's WebSocket (`/api/v1/ws?access_token=…&topics=…`,
// messages `{topic, data}`). Messages only say that something changed (or,
// on a display, what was called); the page re-reads over REST. The socket
// reconnects by itself with growing back-off, and every (re)connection
// calls `onOpen` so the page re-reads what it may have missed while away.

export type LiveState = 'connecting' | 'open' | 'offline'

export interface LiveMessage {
  topic: string
  data: unknown
}

export interface LiveOptions {
  auth: AuthSource
  /** Topics to follow; the socket reconnects when they change. None: no socket. */
  topics: () => readonly string[]
  onMessage: (message: LiveMessage) => void
  /** After each successful (re)connection. */
  onOpen?: () => void
}

const FIRST_DELAY_MS = 1_000
const MAX_DELAY_MS = 30_000

export function liveUrl(token: string, topics: readonly string[]): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const query = new URLSearchParams({ access_token: token, topics: topics.join(',') })
  return `${scheme}://${location.host}/api/v1/ws?${query}`
}

/** The next wait: doubling from one second up to thirty, with some jitter so screens do not reconnect in step. */
export function backoffDelay(failures: number): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, failures))
  return Math.round(base * (0.8 + Math.random() * 0.4))
}

export function useLive(options: LiveOptions): { state: Ref<LiveState>; reconnect: () => void } {
  const state = ref<LiveState>('offline')
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  let stopped = false

  function clear() {
    clearTimeout(timer)
    timer = undefined
    if (socket) {
      const old = socket
      socket = null
      old.onopen = old.onmessage = old.onclose = old.onerror = null
      old.close()
    }
  }

  function schedule() {
    if (stopped) return
    state.value = 'offline'
    clearTimeout(timer)
    timer = setTimeout(connect, backoffDelay(failures))
    failures += 1
  }

  function connect() {
    clear()
    if (stopped) return
    const topics = options.topics()
    const token = options.auth.token()
    if (!topics.length || !token) {
      state.value = 'offline'
      return
    }
    state.value = 'connecting'
    let ws: WebSocket
    try {
      ws = new WebSocket(liveUrl(token, topics))
    } catch {
      schedule()
      return
    }
    socket = ws
    ws.onopen = () => {
      failures = 0
      state.value = 'open'
      options.onOpen?.()
    }
    ws.onmessage = (event) => {
      if (typeof event.data !== 'string') return
      let parsed: unknown
      try {
        parsed = JSON.parse(event.data)
      } catch {
        return
      }
      if (typeof parsed !== 'object' || parsed === null) return
      const { topic, data } = parsed as { topic?: unknown; data?: unknown }
      if (typeof topic === 'string') options.onMessage({ topic, data })
    }
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      schedule()
    }
  }

  /** Reconnects now (the network came back, the tab shows again). */
  function reconnect() {
    if (state.value === 'open') return
    failures = 0
    connect()
  }

  function onOnline() {
    reconnect()
  }
  function onVisible() {
    if (!document.hidden) reconnect()
  }

  onMounted(() => {
    connect()
    window.addEventListener('online', onOnline)
    document.addEventListener('visibilitychange', onVisible)
  })
  watch(
    () => options.topics().join(','),
    () => {
      failures = 0
      connect()
    },
  )
  onBeforeUnmount(() => {
    stopped = true
    clear()
    window.removeEventListener('online', onOnline)
    document.removeEventListener('visibilitychange', onVisible)
  })

  return { state, reconnect }
}
