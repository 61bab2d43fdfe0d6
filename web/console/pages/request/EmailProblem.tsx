/** The license email in trouble, shown first on a request's page with what to do about it. */
import type { Delivery, RecordJson } from '../../../shared/api.js';
import { LicenseDownload } from '../../../shared/components.js';
import { IN_FLIGHT, plural, webHref } from '../../../shared/format.js';

/** The newest license email when it failed, its outcome is unknown, or it is failing and retried. */
export function troubledEmail(deliveries: Delivery[]): Delivery | null {
  const email = deliveries.filter((d) => d.channel === 'email').at(-1);
  if (!email) return null;
  const failing = IN_FLIGHT.has(email.status) && email.lastError !== null;
  return email.status === 'failed' || email.status === 'unknown' || failing ? email : null;
}

/** At the top of the page: the customer may not have the license, and what to do about it. */
export function EmailProblem(props: { email: Delivery; record: RecordJson }) {
  const { email, record } = props;
  const to = email.recipient ?? record.requesterEmail;
  const ticketHref = webHref(record.ticketUrl);
  const headline =
    email.status === 'failed'
      ? `The license email to ${to} failed`
      : email.status === 'unknown'
        ? `The license email to ${to} may not have arrived`
        : `The license email to ${to} is failing (${plural(email.attempts, 'attempt')} so far, still retrying)`;
  return (
    <section class="alert alert-error email-problem" role="alert" aria-labelledby="email-problem">
      <h2 id="email-problem">{headline}</h2>
      <p class="break">Last error: {email.lastError ?? 'none recorded'}</p>
      <p>
        What to do: download the license file and attach it to a reply on the ticket
        {ticketHref ? (
          <>
            {' '}
            (
            <a href={ticketHref} target="_blank" rel="noreferrer">
              ticket {record.ticketId}
            </a>
            )
          </>
        ) : (
          ` ${record.ticketId}`
        )}
        , or resend it once the address or the mail server is fixed.
      </p>
      {record.license ? (
        <LicenseDownload license={record.license}>
          Download the license file ({record.license.fileName})
        </LicenseDownload>
      ) : null}
    </section>
  );
}
