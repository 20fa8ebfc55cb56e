// The billing API: the fee catalogue, bills (orders) with their ledger,
// mobile checkout through the payment gateway, window payments (cash, card,
// insurance), refunds, receipts, and the managers' takings and
// reconciliation. Money is always integer fen. Like the patients and booking
// modules, the calls are made for one `AuthSource` and handed to shared
// components through provide/inject, so the portal pays with the patient's
// token.

import { inject, type InjectionKey } from 'vue'
import { request, staffAuth, type AuthSource } from './api'

export const FEE_KINDS = ['registration', 'exam', 'service', 'drug'] as const
export type FeeKind = (typeof FEE_KINDS)[number]
export const ORDER_STATES = [
  'unpaid',
  'expired',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'cancelled',
] as const
export type OrderState = (typeof ORDER_STATES)[number]
/** How money moved: the gateway (WeChat-Pay style), or at the window. */
export const PAY_METHODS = ['wechatpay', 'cash', 'card', 'insurance'] as const
export type PayMethod = (typeof PAY_METHODS)[number]
/** What the window clerk takes money by (insurance is its own settlement). */
export const WINDOW_METHODS = ['cash', 'card'] as const
export type WindowMethod = (typeof WINDOW_METHODS)[number]

export interface Fee {
  id: number
  code: string
  kind: FeeKind
  name_zh: string
  name_en: string
  clinic_type: string
  clinic_code: string
  doctor_title: string
  amount_fen: number
  insurance_percent: number
  valid_from: string
  valid_to: string
}

export interface OrderItem {
  fee_code: string
  name_zh: string
  name_en: string
  quantity: number
  unit_fen: number
  amount_fen: number
  insurance_percent: number
}

export interface LedgerEntry {
  id: number
  kind: 'charge' | 'payment' | 'refund' | 'reversal'
  amount_fen: number
  /** Empty for charges and reversals. */
  method: PayMethod | ''
  /** refund: rule | clerk | late_payment | duplicate_payment; reversal: cancelled | expired. */
  cause: string
  reason: string
  receipt_no: string
  /** A refund: the id of the payment entry it returns. */
  refund_of: number | null
  /** Refunds only. */
  refund_status?: 'pending' | 'succeeded' | 'failed'
  actor: string
  occurred_at: string
  recorded_at: string
}

export interface Order {
  id: number
  order_no: string
  patient_id: number
  appointment_id: number | null
  description: string
  items: OrderItem[]
  total_fen: number
  paid_fen: number
  refunded_fen: number
  outstanding_fen: number
  refundable_fen: number
  state: OrderState
  /** An online booking's payment deadline: its ticket is released when this passes. */
  hold_until: string | null
  /** An open mobile checkout on the gateway's hosted page. */
  pay_url: string | null
  created_at: string
  ledger: LedgerEntry[]
}

export interface Receipt {
  receipt_no: string
  kind: 'payment' | 'refund'
  method: PayMethod | ''
  amount_fen: number
  order_id: number
  order_no: string
  patient_id: number
  description: string
  issued_at: string
  /** A refund: the receipt_no of the payment it returns; empty for a payment. */
  reverses: string
}

export interface Checkout {
  prepay_id: string
  pay_url: string
}

/**
 * A window payment as the form sends it. An amount the clerk typed badly
 * goes as typed: the server names the field.
 */
export interface WindowPayment {
  method: WindowMethod
  amount_fen: number | string
  /** The card terminal's reference (card payments). */
  reference?: string
}

export interface RefundRequest {
  amount_fen: number | string
  reason: string
}

export interface TakingsLine {
  method: PayMethod
  payments: number
  refunds: number
  paid_fen: number
  refunded_fen: number
  net_fen: number
}

export interface Takings {
  date: string
  by_method: TakingsLine[]
  net_fen: number
  orders_paid: number
  orders_open: number
  auto_refunds: number
}

export interface ReconciliationSide {
  payments: number
  refunds: number
  net_fen: number
}

export interface Mismatch {
  type: 'missing_in_ledger' | 'missing_in_statement' | 'amount_differs' | 'state_differs'
  kind: string
  reference: string
  order_no: string
  ledger_fen: number
  statement_fen: number
  ledger_state: string
  statement_state: string
}

export interface Reconciliation {
  date: string
  ledger: ReconciliationSide
  statement: ReconciliationSide
  mismatches: Mismatch[]
}

/** An order that still wants money: the patient (or the window) can pay it. */
export function isOpen(order: Pick<Order, 'state' | 'outstanding_fen'>): boolean {
  return (order.state === 'unpaid' || order.state === 'partially_paid') && order.outstanding_fen > 0
}

/**
 * A refund the window still has to hand over: cash or card money owed by a
 * rule (she cancelled on her phone a booking paid at the window) stays
 * pending until a clerk gives it back and records it (`payOut`).
 */
export function isOwedAtWindow(entry: Pick<LedgerEntry, 'kind' | 'method' | 'refund_status'>): boolean {
  return (
    entry.kind === 'refund' &&
    entry.refund_status === 'pending' &&
    (WINDOW_METHODS as readonly string[]).includes(entry.method)
  )
}

function orderPath(id: number): string {
  return `/api/v1/orders/${encodeURIComponent(id)}`
}

function patientPath(id: number): string {
  return `/api/v1/patients/${encodeURIComponent(id)}`
}

function dateQuery(date: string | undefined): string {
  return date ? `?${new URLSearchParams({ date })}` : ''
}

async function items<T>(path: string, auth: AuthSource): Promise<T[]> {
  const data = await request<{ items?: T[] }>('GET', path, { auth })
  return data?.items ?? []
}

export function billingApi(auth: AuthSource) {
  const o = { auth }
  return {
    fees: (date?: string) => items<Fee>(`/api/v1/fees${dateQuery(date)}`, auth),

    createOrder: (patientId: number, lines: { fee_code: string; quantity: number | string }[]) =>
      request<Order>('POST', '/api/v1/orders', { ...o, body: { patient_id: patientId, items: lines } }),
    order: (id: number) => request<Order>('GET', orderPath(id), o),
    ordersOf: (patientId: number) => items<Order>(`${patientPath(patientId)}/orders`, auth),
    receiptsOf: (patientId: number) => items<Receipt>(`${patientPath(patientId)}/receipts`, auth),
    receipt: (no: string) => request<Receipt>('GET', `/api/v1/receipts/${encodeURIComponent(no)}`, o),

    /** Opens (or reopens) the gateway's hosted checkout page for the order. */
    checkout: (id: number) => request<Checkout>('POST', `${orderPath(id)}/checkout`, o),
    /** Asks the gateway how the mobile payment went; answers the order as it now is. */
    sync: (id: number) => request<Order>('POST', `${orderPath(id)}/sync`, o),

    /** `key`: one per payment attempt; send the same one again when retrying it. */
    pay: (id: number, payment: WindowPayment, key: string) =>
      request<Receipt>('POST', `${orderPath(id)}/payments`, {
        ...o,
        body: payment,
        headers: { 'Idempotency-Key': key },
      }),
    settleInsurance: (id: number, insuranceNo: string) =>
      request<Order>('POST', `${orderPath(id)}/insurance`, { ...o, body: { insurance_no: insuranceNo } }),
    /** `key`: one per refund attempt; send the same one again when retrying it. */
    refund: async (id: number, refund: RefundRequest, key: string): Promise<Receipt[]> => {
      const data = await request<{ items?: Receipt[] }>('POST', `${orderPath(id)}/refunds`, {
        ...o,
        body: refund,
        headers: { 'Idempotency-Key': key },
      })
      return data?.items ?? []
    },
    /**
     * The clerk handed a pending cash or card refund (`refundId`: its ledger
     * entry) over to the patient; answers the order as it now is.
     */
    payOut: (refundId: number) =>
      request<Order>('POST', `/api/v1/refunds/${encodeURIComponent(refundId)}/paid-out`, o),

    // Managers (takings also for the window).
    takings: (date: string) => request<Takings>('GET', `/api/v1/billing/takings${dateQuery(date)}`, o),
    reconciliation: (date: string) =>
      request<Reconciliation>('GET', `/api/v1/billing/reconciliation${dateQuery(date)}`, o),
  }
}

export type BillingApi = ReturnType<typeof billingApi>

export const staffBillingApi = billingApi(staffAuth)

/** Provided by the portal layout so shared components call with the patient's token. */
export const BILLING_API: InjectionKey<BillingApi> = Symbol('billing-api')

export function useBillingApi(): BillingApi {
  return inject(BILLING_API, staffBillingApi)
}

/**
 * Fen from what a person typed in yuan ("12.5", "¥12.50", "12"), or null
 * when it is not an amount with at most two decimals.
 */
export function parseYuan(text: string): number | null {
  const cleaned = text.replace(/[\s,¥￥]/g, '')
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(cleaned)
  if (!m) return null
  const fraction = (m[2] ?? '').padEnd(2, '0')
  return Number(m[1]) * 100 + Number(fraction)
}

/** Fen as yuan for an input box: 1250 → "12.50". */
export function yuanText(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(Math.trunc(fen))
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Fen as money: 1250 → "¥12.50", -500 → "-¥5.00". */
export function formatFen(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return '—'
  const text = yuanText(fen)
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`
}
