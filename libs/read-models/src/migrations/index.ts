import { CallLog1767225600000 } from './1767225600000-call-log';
import { CallCenterLog1767225600001 } from './1767225600001-call-center-log';
import { ChannelUsage1767225600002 } from './1767225600002-channel-usage';

/** In order. A schema change is a new class appended here, never an edit of a shipped one. */
export const READ_MODEL_MIGRATIONS = [CallLog1767225600000, CallCenterLog1767225600001, ChannelUsage1767225600002];
