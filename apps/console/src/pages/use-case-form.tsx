import { useState } from 'react';
import { Checkbox } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { api, get, Json, Page, post } from '../api';
import { Button, Field, Loading, ProblemBox, Section, useAsyncAction, useLoad } from '../components';

export interface UseCaseDraft {
  title: string;
  purpose: string;
  publicInterest: string;
  /** dataset id → requested columns */
  picked: Record<string, string[]>;
}

export const draftOf = (u?: Json): UseCaseDraft => ({
  title: u?.title ?? '',
  purpose: u?.purpose ?? '',
  publicInterest: u?.publicInterest ?? '',
  picked: Object.fromEntries((u?.requestedDatasets ?? []).map((r: Json) => [r.datasetId, [...r.columns]])),
});

export const requestedOf = (d: UseCaseDraft) => Object.entries(d.picked).filter(([, c]) => c.length).map(([datasetId, columns]) => ({ datasetId, columns }));

/** Only what changed, as PATCH and amendments take it (a partial use case). */
export function changesOf(before: Json, d: UseCaseDraft): Json {
  const changes: Json = {};
  for (const k of ['title', 'purpose', 'publicInterest'] as const) if (d[k] !== before[k]) changes[k] = d[k];
  const requested = requestedOf(d);
  const same = JSON.stringify(requested.map((r) => [r.datasetId, [...r.columns].sort()]).sort()) === JSON.stringify(before.requestedDatasets.map((r: Json) => [r.datasetId, [...r.columns].sort()]).sort());
  if (!same) changes.requestedDatasets = requested;
  return changes;
}

/** Title, purpose, public interest and the columns requested from the catalogue. */
export function UseCaseFields({ draft, onChange }: { draft: UseCaseDraft; onChange: (d: UseCaseDraft) => void }) {
  const { t } = useTranslation();
  const catalogue = useLoad(() => get<Page<Json>>('/api/v1/datasets?limit=200'), []);
  const toggle = (datasetId: string, column: string, on: boolean) => {
    const cols = new Set(draft.picked[datasetId] ?? []);
    if (on) cols.add(column);
    else cols.delete(column);
    onChange({ ...draft, picked: { ...draft.picked, [datasetId]: [...cols] } });
  };
  return (
    <>
      <Field label={t('research.title')} value={draft.title} onChange={(title) => onChange({ ...draft, title })} name="title" />
      <Field label={t('research.purpose')} value={draft.purpose} onChange={(purpose) => onChange({ ...draft, purpose })} multiline />
      <Field label={t('research.publicInterest')} value={draft.publicInterest} onChange={(publicInterest) => onChange({ ...draft, publicInterest })} multiline />
      <h3>{t('research.requestedData')}</h3>
      {!catalogue.data ? (
        <Loading error={catalogue.error} />
      ) : (
        catalogue.data.items.map((d) => (
          <fieldset key={d.id} className="column">
            <legend>
              {d.name} — {d.description}
            </legend>
            {d.columns
              .filter((c: Json) => c.role !== 'linkage_key')
              .map((c: Json) => (
                <Checkbox key={c.name} isSelected={(draft.picked[d.id] ?? []).includes(c.name)} onChange={(on) => toggle(d.id, c.name, on)} className="check">
                  <span className="box" aria-hidden="true" /> {c.name}
                </Checkbox>
              ))}
          </fieldset>
        ))
      )}
    </>
  );
}

/** The owner edits a draft (or a use case sent back for changes), then submits it. */
export function EditUseCase({ useCase, onDone }: { useCase: Json; onDone: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(() => draftOf(useCase));
  const action = useAsyncAction();
  const changes = changesOf(useCase, draft);
  const save = (submit: boolean) =>
    action.run(async () => {
      if (Object.keys(changes).length) await api('PATCH', `/api/v1/use-cases/${useCase.id}`, changes);
      if (submit) await post(`/api/v1/use-cases/${useCase.id}/submit`);
      onDone();
    });
  return (
    <Section title={t('research.edit')} id="edit">
      <p className="hint">{useCase.status === 'changes_requested' ? t('research.editChangesRequested') : t('research.editDraft')}</p>
      <UseCaseFields draft={draft} onChange={setDraft} />
      <div className="actions">
        <Button kind="secondary" isDisabled={action.busy || Object.keys(changes).length === 0} onPress={() => void save(false)}>
          {t('research.saveDraft')}
        </Button>
        <Button isDisabled={action.busy} onPress={() => void save(true)}>
          {t('research.submitToCommittee')}
        </Button>
      </div>
      <ProblemBox error={action.error} />
    </Section>
  );
}

/** The owner amends an approved or active use case: it goes back to the committee with a reason. */
export function AmendUseCase({ useCase, onDone }: { useCase: Json; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState(() => draftOf(useCase));
  const [reason, setReason] = useState('');
  const action = useAsyncAction();
  const changes = changesOf(useCase, draft);
  return (
    <Section title={t('research.amend')} id="amend">
      <p className="hint">{t('research.amendIntro')}</p>
      {!open ? (
        <Button kind="secondary" onPress={() => setOpen(true)}>
          {t('research.amendOpen')}
        </Button>
      ) : (
        <>
          <UseCaseFields draft={draft} onChange={setDraft} />
          <Field label={t('research.amendReason')} value={reason} onChange={setReason} multiline description={t('research.amendReasonHint')} />
          <Button isDisabled={action.busy || !reason.trim() || Object.keys(changes).length === 0} onPress={() => void action.run(() => post(`/api/v1/use-cases/${useCase.id}/amendments`, { changes, reason })).then((r) => r && onDone())}>
            {t('research.amendSubmit')}
          </Button>
          {Object.keys(changes).length === 0 && <p className="hint">{t('research.amendNothing')}</p>}
        </>
      )}
      <ProblemBox error={action.error} />
    </Section>
  );
}
