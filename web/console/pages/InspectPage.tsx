import { useEffect, useState } from 'preact/hooks';
import { describeFailure, type ApiClient, type LicenseReport } from '../../shared/api.js';
import { Alert, LicenseInput, LicenseReportView } from '../../shared/components.js';

/** Paste or drop any license: everything decoded, whether Lifeline issued it, its expiry and grace. */
export function InspectPage(props: { api: ApiClient }) {
  const [text, setText] = useState('');
  const [report, setReport] = useState<LicenseReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (text.trim() === '') {
      setReport(null);
      setError(null);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      props.api
        .post<LicenseReport>('/api/v1/licenses/decode', { text })
        .then((res) => {
          if (!live) return;
          if (res.status === 200) {
            setReport(res.body);
            setError(null);
          } else {
            setReport(null);
            setError(describeFailure(res));
          }
        })
        .catch(() => live && setError('Lifeline could not be reached.'));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  return (
    <div class="inspect">
      <LicenseInput label="License" value={text} onChange={setText} rows={8} />
      <div aria-live="polite">
        {error ? <Alert kind="error">{error}</Alert> : null}
        {report ? (
          <section aria-labelledby="inspect-result">
            <h2 id="inspect-result">{report.valid ? 'Decoded license' : 'Invalid license'}</h2>
            <LicenseReportView report={report} requestHref={(id) => `/requests/${encodeURIComponent(id)}`} />
            {report.attributes ? (
              <details>
                <summary>All attributes (the license's own JSON)</summary>
                <pre class="mono">{JSON.stringify(report.attributes, null, 2)}</pre>
              </details>
            ) : null}
          </section>
        ) : null}
      </div>
    </div>
  );
}
