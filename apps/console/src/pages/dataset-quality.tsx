import { useEffect, useState } from 'react';
import { Label, Meter } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { get, Page } from '../api';
import { DateText, Loading, Section, Status, useLoad } from '../components';

/** One version of a dataset as GET /datasets/{id}/versions gives it: aggregates only. */
export interface DatasetVersion {
  version: number;
  createdAt: string;
  rowCount: number;
  current: boolean;
  completeness?: { column: string; nonNullPercent: number }[];
}

const MAX_LOOKS = 60;

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** The age of a moment in words, in the page's language ("3 days ago", "il y a 3 jours"). */
export function ageInWords(iso: string, language: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  for (const [unit, size] of UNITS) if (seconds >= size) return format.format(-Math.floor(seconds / size), unit);
  return format.format(0, 'second');
}

/** The history of a dataset's versions (newest first) and the quality card of the current one. */
export function DatasetVersions({ id, currentVersion }: { id: string; currentVersion: number | null }) {
  const { t, i18n } = useTranslation();
  const versions = useLoad(() => get<Page<DatasetVersion>>(`/api/v1/datasets/${id}/versions?limit=50`), [id, currentVersion]);
  const current = versions.data?.items.find((v) => v.current);
  const measuring = !!current && !current.completeness;
  const { reload } = versions;
  const [looks, setLooks] = useState(0);
  // Completeness is measured by the worker just after the upload: look again, for a minute at most.
  useEffect(() => setLooks(0), [id, currentVersion]);
  useEffect(() => {
    if (!measuring || looks >= MAX_LOOKS) return;
    const timer = setTimeout(() => (setLooks((n) => n + 1), reload()), 1000);
    return () => clearTimeout(timer);
  }, [measuring, versions.data, reload, looks]);

  return (
    <>
      <Section title={t('quality.title')} id="quality">
        {!versions.data ? (
          <Loading error={versions.error} />
        ) : !current ? (
          <p>{t('quality.noVersion')}</p>
        ) : (
          <>
            <dl className="terms">
              <dt>{t('quality.freshness')}</dt>
              <dd>
                {t('quality.loaded', { n: current.version, age: ageInWords(current.createdAt, i18n.language) })} (<DateText value={current.createdAt} />)
              </dd>
            </dl>
            <h3>{t('quality.completeness')}</h3>
            <p className="hint">{t('quality.completenessIntro')}</p>
            {current.completeness ? (
              <ul className="meters">
                {current.completeness.map((c) => (
                  <li key={c.column}>
                    <Meter value={c.nonNullPercent} className="progress meter">
                      {({ valueText }) => (
                        <>
                          <Label>{c.column}</Label> <span>{valueText}</span>
                          <div className="bar" aria-hidden="true">
                            <div className={c.nonNullPercent < 100 ? 'fill fill-partial' : 'fill'} style={{ width: `${c.nonNullPercent}%` }} />
                          </div>
                        </>
                      )}
                    </Meter>
                  </li>
                ))}
              </ul>
            ) : looks < MAX_LOOKS ? (
              <p aria-busy="true">{t('quality.measuring')}</p>
            ) : (
              <p>{t('quality.notMeasured')}</p>
            )}
          </>
        )}
      </Section>
      <Section title={t('quality.history')} id="versions">
        {!versions.data ? (
          <Loading error={versions.error} />
        ) : versions.data.items.length === 0 ? (
          <p>{t('quality.noVersion')}</p>
        ) : (
          <table>
            <caption className="sr-only">{t('quality.history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('quality.version')}</th>
                <th scope="col">{t('quality.date')}</th>
                <th scope="col">{t('steward.rows')}</th>
                <th scope="col">{t('quality.state')}</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.items.map((v) => (
                <tr key={v.version}>
                  <td>{v.version}</td>
                  <td>
                    <DateText value={v.createdAt} />
                  </td>
                  <td>≈ {v.rowCount.toLocaleString(i18n.language)}</td>
                  <td>{v.current ? <Status value="current" /> : <Status value="superseded" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </>
  );
}
