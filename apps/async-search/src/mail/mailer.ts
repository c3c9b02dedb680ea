import { createTransport, Transporter } from 'nodemailer';
import type { Config } from '../config';
import { DoneMail } from './done-mail';

/** Sends one mail; resolves with the SMTP message id. */
export interface MailTransport {
  readonly configured: boolean;
  send(mail: DoneMail): Promise<{ messageId: string }>;
  close(): void;
}

/** SMTP through nodemailer (SPEC S-5). Without SMTP_HOST nothing is sent and `configured` is false. */
export function smtpTransport(config: Config): MailTransport {
  if (!config.SMTP_HOST) {
    return {
      configured: false,
      send: () => Promise.reject(new Error('SMTP_HOST is not set: no mail can be sent')),
      close: () => undefined,
    };
  }
  const transporter: Transporter = createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    ignoreTLS: config.SMTP_IGNORE_TLS,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    configured: true,
    async send(mail) {
      // Plain text only, no attachments (SPEC S-5: the file stays behind the portal's login).
      const info = await transporter.sendMail({ from: config.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text, textEncoding: 'base64' });
      return { messageId: String(info.messageId) };
    },
    close: () => transporter.close(),
  };
}
