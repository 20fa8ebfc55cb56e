import { useI18n } from 'vue-i18n'
import { ApiError } from './api'
import { formatFen } from './billing-api'
import { useErrorText, useFormErrors, type FormErrors } from './errors'

// What a refused payment, checkout or refund means for the person in front
// of the screen, from the problem's stable `code` and the amounts it carries
// (outstanding_fen, refundable_fen). The server's own words (English) are the
// fallback, and its field errors still show beside the fields they name.

function fen(value: unknown): string {
  return typeof value === 'number' ? formatFen(value) : '—'
}

export function useBillingErrorText() {
  const { t, te } = useI18n()
  const errorText = useErrorText()
  return (error: unknown): string => {
    if (!(error instanceof ApiError)) return errorText(error)
    const { code, status } = error.problem
    if (status === 403) return t('billing.errors.forbidden')
    if (!code || !te(`billing.errors.${code}`)) return errorText(error)
    const p = error.problem
    return t(`billing.errors.${code}`, {
      outstanding: fen(p.outstanding_fen),
      refundable: fen(p.refundable_fen),
      detail: p.detail ?? '',
    })
  }
}

/**
 * FormErrors for a billing form: the sentence above the form in the
 * person's language, and beside the amount the amount that would be right.
 */
export function useBillingFormErrors() {
  const { t } = useI18n()
  const toErrors = useFormErrors()
  const billingErrorText = useBillingErrorText()
  return (error: unknown, fields: readonly string[]): FormErrors => {
    const errors = { ...toErrors(error, fields), message: billingErrorText(error) }
    if (error instanceof ApiError && fields.includes('amount_fen')) {
      const p = error.problem
      if (p.code === 'amount_mismatch' && typeof p.outstanding_fen === 'number') {
        errors.byField = { ...errors.byField, amount_fen: [t('billing.pay.mustEqual', { amount: fen(p.outstanding_fen) })] }
      } else if (p.code === 'refund_exceeds_payment' && typeof p.refundable_fen === 'number') {
        errors.byField = { ...errors.byField, amount_fen: [t('billing.refund.atMost', { amount: fen(p.refundable_fen) })] }
      }
    }
    return errors
  }
}
