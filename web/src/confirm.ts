import { reactive } from 'vue'

// One app-wide confirmation dialog (rendered by ConfirmHost in the layout).
// `confirmAction` resolves true when the person confirms, false otherwise.

export interface ConfirmRequest {
  title: string
  message: string
  confirmLabel: string
  danger?: boolean
}

export const confirmState = reactive<{ request: ConfirmRequest | null; resolve: ((ok: boolean) => void) | null }>({
  request: null,
  resolve: null,
})

export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  confirmState.resolve?.(false)
  return new Promise((resolve) => {
    confirmState.request = request
    confirmState.resolve = resolve
  })
}

export function settleConfirm(ok: boolean): void {
  const resolve = confirmState.resolve
  confirmState.request = null
  confirmState.resolve = null
  resolve?.(ok)
}
