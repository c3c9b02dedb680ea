import type { SearchJob } from '@pbx/domain-async-search';

/** SPEC S-5: the subject, word for word. */
export const DONE_MAIL_SUBJECT = 'BIZTEL:非同期履歴検索通知';

export interface DoneMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** 発着信履歴 and the other history screens, by target (SPEC S-6). */
const TARGETS: Readonly<Record<string, { readonly label: string; readonly path: string }>> = {
  'call-logs': { label: '発着信履歴', path: '/history/call-logs' },
};

/** `2025/04/01 18:00:00` in the given zone (how the portal shows times). */
export function formatRegisteredAt(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}/${get('month')}/${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** The history screen where the account finds its async searches and downloads the result. */
export function historyScreenUrl(portalUrl: string, job: Pick<SearchJob, 'target' | 'jobId'>): string {
  const base = portalUrl.replace(/\/+$/, '');
  const path = TARGETS[job.target]?.path ?? '/history';
  return `${base}${path}?asyncSearch=${encodeURIComponent(job.jobId)}`;
}

/**
 * The mail of SPEC S-5: subject `BIZTEL:非同期履歴検索通知`, body with the registration time
 * and a link to the history screen, plain text, no attachment (the file stays behind the
 * portal's login). Undefined when the account has no address.
 */
export function composeDoneMail(job: SearchJob, o: { portalUrl: string; timeZone: string }): DoneMail | undefined {
  if (!job.owner.email) return undefined;
  const target = TARGETS[job.target]?.label ?? job.target;
  const lines = [
    '非同期履歴検索が完了しました。',
    '',
    `登録日時: ${formatRegisteredAt(job.createdAt, o.timeZone)} (${o.timeZone})`,
    `検索対象: ${target}`,
    ...(job.memo ? [`メモ: ${job.memo.replace(/[\r\n]+/g, ' ')}`] : []),
    ...(job.result ? [`件数: ${job.result.rowCount.toLocaleString('ja-JP')}件`] : []),
    '',
    '検索結果は履歴画面からダウンロードできます:',
    historyScreenUrl(o.portalUrl, job),
    '',
    '※このメールは送信専用です。',
  ];
  return { to: job.owner.email, subject: DONE_MAIL_SUBJECT, text: `${lines.join('\n')}\n` };
}
