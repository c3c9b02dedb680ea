// Dialogs (RFC 3261 §12): state as plain values, created by the UAS or the UAC, requests
// built within them, and what the peer's requests and responses do to them.
export type { DialogErrorCode, DialogId, DialogOptions, DialogState } from './dialog.state';
export { DialogError, dialogFromUac, dialogFromUas, dialogIdOfRequest, dialogIdOfResponse, dialogKey, sameDialog } from './dialog.state';
export type { InDialogRequestOptions } from './dialog.request';
export { createInDialogRequest, TARGET_REFRESH_METHODS } from './dialog.request';
export type { ReceiveResult } from './dialog.receive';
export { receiveInDialogRequest, receiveInDialogResponse, receiveTargetRefreshResponse } from './dialog.receive';
