// SIP transactions (RFC 3261 §17, RFC 6026): the layer, its types, and a fake clock for tests.

export type {
  ClientTransaction,
  ClientTransactionHandler,
  ClientTransactionState,
  DropReason,
  Peer,
  ServerTransaction,
  ServerTransactionState,
  TimerHost,
  TransactionLayerOptions,
  TransactionTimers,
  TransactionUser,
  TransportProtocol,
} from './transaction.types';
export { isReliable } from './transaction.types';
export { TransactionLayer } from './transaction.layer';
export { hasMagicCookie, MAGIC_COOKIE, newBranch, newTag } from './branch';
export type { TimerValues } from './timer-host';
export { DEFAULT_TIMERS, realTimerHost, timerValues, TRYING_DELAY_MS } from './timer-host';
export { buildAckForNon2xx, buildCancel } from './request.builders';
export { FakeClock } from './fake-clock';
