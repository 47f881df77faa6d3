import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { Button as AriaButton, Input, Label, TextField, TextArea } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { problemWords } from './logic/problems';

export function Button(props: { children: ReactNode; onPress?: () => void; type?: 'button' | 'submit'; kind?: 'primary' | 'secondary' | 'danger'; isDisabled?: boolean }) {
  return (
    <AriaButton type={props.type ?? 'button'} onPress={props.onPress} isDisabled={props.isDisabled} className={`btn btn-${props.kind ?? 'primary'}`}>
      {props.children}
    </AriaButton>
  );
}

export function Field(props: { label: string; value: string; onChange: (v: string) => void; type?: string; multiline?: boolean; description?: string; name?: string }) {
  return (
    <TextField className="field" value={props.value} onChange={props.onChange} type={props.type} name={props.name}>
      <Label>{props.label}</Label>
      {props.multiline ? <TextArea rows={4} /> : <Input />}
      {props.description && <small className="hint">{props.description}</small>}
    </TextField>
  );
}

export function Select(props: { label: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[]; id: string }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** An API refusal said in words: the stable code translated, then the server's detail. */
export function ProblemBox({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const p = problemWords(t, error);
  return (
    <div role="alert" className="problem">
      <strong>{p.words}</strong>
      {p.detail && <p className="detail">{t('problems.serverSays')} {t('common.quoted', { text: p.detail })}</p>}
      {p.errors.length > 0 && (
        <ul>
          {p.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code>{t('common.colon')}{e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Loads data and re-loads on demand; shows nothing fancy, just loading and errors. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(undefined)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
    // `load` is a fresh closure each render: the caller's `deps` say when it must run again.
  }, [...deps, tick]);
  return { data, error, reload: useCallback(() => setTick((n) => n + 1), []) };
}

export function Loading({ error, children }: { error?: unknown; children?: ReactNode }) {
  const { t } = useTranslation();
  if (error) return <ProblemBox error={error} />;
  return <p aria-busy="true">{children ?? t('common.loading')}</p>;
}

export function Status({ value }: { value: string }) {
  const { t } = useTranslation();
  return <span className={`status status-${value}`}>{t(`status.${value}`, { defaultValue: value })}</span>;
}

export function DateText({ value }: { value?: string | null }) {
  const { i18n } = useTranslation();
  if (!value) return <>—</>;
  return <time dateTime={value}>{new Date(value).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' })}</time>;
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id ?? title}>
      <h2 id={id ?? title}>{title}</h2>
      {children}
    </section>
  );
}

export function useAsyncAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await f();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
