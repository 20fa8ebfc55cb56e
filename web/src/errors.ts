import { useI18n } from 'vue-i18n'
import { ApiError, type FieldError } from './api'

/** Text for people from any error: the server's `detail` when it gave one. */
export function useErrorText() {
  const { t } = useI18n()
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      if (error.isNetworkError) return t('common.networkError')
      const { detail, title, status } = error.problem
      return detail || title || t('common.httpError', { status })
    }
    return error instanceof Error ? error.message : String(error)
  }
}

/**
 * The form field a problem+json `errors[].field` names: "username",
 * "/username", "roles[1]", "roles.1" and "user.username" style paths all map
 * to the first segment after an optional wrapper.
 */
export function fieldKey(field: string, known: readonly string[]): string | undefined {
  const parts = field.replace(/^[$/.]+/, '').split(/[./[\]]+/).filter(Boolean)
  return parts.find((part) => known.includes(part))
}

/** Splits field errors into per-field messages and the rest. */
export function splitFieldErrors(errors: readonly FieldError[] | undefined, known: readonly string[]) {
  const byField: Record<string, string[]> = {}
  const other: FieldError[] = []
  for (const error of errors ?? []) {
    const key = typeof error.field === 'string' ? fieldKey(error.field, known) : undefined
    if (key) (byField[key] ??= []).push(error.message)
    else other.push(error)
  }
  return { byField, other }
}

/** A failed form submission: one message, errors beside the named fields, and the rest. */
export interface FormErrors {
  byField: Record<string, string[]>
  other: FieldError[]
  message: string
}

export function noFormErrors(): FormErrors {
  return { byField: {}, other: [], message: '' }
}

/** Turns a failed call into FormErrors for a form with the given fields. */
export function useFormErrors() {
  const errorText = useErrorText()
  return (error: unknown, fields: readonly string[]): FormErrors => {
    const problem = error instanceof ApiError ? error.problem : undefined
    const { byField, other } = splitFieldErrors(problem?.errors, fields)
    return { byField, other, message: errorText(error) }
  }
}
