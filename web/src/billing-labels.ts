import { useI18n } from 'vue-i18n'
import { isOwedAtWindow, type LedgerEntry, type Order, type OrderState } from './billing-api'

// Words for the billing codes (order state, payment method, ledger entry
// kind, refund cause and status) in the current language; a code this app
// does not know is shown as sent. Fee and item names come in both languages.
export function useBillingLabels() {
  const { t, te, locale } = useI18n()
  const word = (group: string, code: string | null | undefined): string => {
    if (!code) return ''
    const key = `billing.${group}.${code}`
    return te(key) ? t(key) : code
  }
  const name = (item: { name_zh: string; name_en: string }): string =>
    locale.value === 'en' && item.name_en ? item.name_en : item.name_zh
  return {
    state: (code: string) => word('state', code),
    method: (code: string) => word('method', code),
    kind: (code: string) => word('entry', code),
    refundStatus: (code: string | undefined) => word('refundStatus', code),
    /**
     * Where a refund stands, '' once it is done. Cash or card still to hand
     * over at the window reads, for the patient, as where to collect it and,
     * for the clerk, as money to hand back.
     */
    refundProgress: (
      entry: Pick<LedgerEntry, 'kind' | 'method' | 'refund_status'>,
      forPatient = false,
    ): string => {
      if (isOwedAtWindow(entry)) return t(forPatient ? 'billing.payOut.collect' : 'billing.payOut.status')
      return entry.refund_status && entry.refund_status !== 'succeeded' ? word('refundStatus', entry.refund_status) : ''
    },
    stateBadge: (state: OrderState | string): string => {
      switch (state) {
        case 'paid':
          return 'badge-ok'
        case 'unpaid':
        case 'partially_paid':
          return 'badge-warn'
        case 'expired':
        case 'cancelled':
          return 'badge-bad'
        default:
          return 'badge-muted'
      }
    },
    /** A fee or item name in the current language (Chinese when English is missing). */
    name,
    /** What a bill is for: its items' names in the current language ("血常规、换药"). */
    title: (order: Pick<Order, 'items' | 'description'>): string =>
      order.items.map(name).join(locale.value === 'en' ? ', ' : '、') || order.description,
    /**
     * Why money went back (or a charge was reversed) in plain words, for the
     * causes the hospital did not do at the window; '' for a clerk's refund.
     */
    cause: (entry: Pick<LedgerEntry, 'kind' | 'cause'>): string => {
      if (entry.kind !== 'refund' && entry.kind !== 'reversal') return ''
      const key = `billing.cause.${entry.kind}.${entry.cause}`
      return te(key) ? t(key) : ''
    },
  }
}

/** Automatic refunds: the system returned the money without anyone asking. */
export const AUTO_REFUND_CAUSES = ['late_payment', 'duplicate_payment'] as const

export function isAutoRefund(entry: Pick<LedgerEntry, 'kind' | 'cause'>): boolean {
  return entry.kind === 'refund' && (AUTO_REFUND_CAUSES as readonly string[]).includes(entry.cause)
}
