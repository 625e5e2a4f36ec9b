import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

export interface MailSender {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** An error the SMTP server gave for this message (5xx): retrying the same mail will not help. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * nodemailer to `SMTP_URL` (smtp:// or smtps://, credentials in the URL). Short timeouts: an
 * SMTP server that hangs must fail the attempt well within the outbox lease.
 */
export function createSmtpSender(smtpUrl: string): MailSender {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        // No open or click tracking anywhere: say so to providers that add it by default.
        headers: { 'X-Auto-Response-Suppress': 'All' },
      });
    },
    close() {
      transport.close();
    },
  };
}
