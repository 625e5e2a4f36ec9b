import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { Link } from 'react-router-dom';
import {
  ADD_ON_CREDITS,
  ADD_ONS,
  CREDIT_PACKAGES,
  CREDITS_PER_MINUTE,
  MAX_DURATION_MINUTES,
  MIN_DURATION_MINUTES,
  RESOLUTIONS,
  type BalanceResponse,
  type CreditPackage,
  type CreditPackageDto,
  type GenerateVideoRequest,
} from '@app/shared';
import { loadDraft, saveDraft } from '../lib/draft';
import {
  DEFAULT_DRAFT,
  PROMPT_MAX_CHARS,
  StudioDraftSchema,
  evaluateDraft,
  generateBlocker,
  type StudioDraft,
} from '../lib/studioForm';
import { formatCredits } from '../lib/money';
import { TextAreaField } from './Field';
import { ADD_ON_LABELS, CostCalculator } from './CostCalculator';
import styles from './GenerateForm.module.css';
import { StickyGenerateBar } from './studio/StickyGenerateBar';
import { TopUpOffer, packForShortfall } from './studio/TopUpOffer';

export const STUDIO_DRAFT_KEY = 'studio';

const ADD_ON_HINTS: Record<(typeof ADD_ONS)[number], string> = {
  customMusic: 'An original soundtrack scored to your video.',
  premiumTTS: 'Natural, studio-quality narration.',
  aiEnhancement: 'Sharper detail and smoother motion.',
};

interface GenerateFormProps {
  balance: BalanceResponse | undefined;
  /** Package used for the dollar estimate (best value); defaults to the shared table. */
  valuePackage?: CreditPackage;
  submitting: boolean;
  onGenerate: (request: GenerateVideoRequest) => void;
  /** Shown under the button, e.g. the server's answer to the last attempt. */
  notice?: ReactNode;
  /** JSON of the request that started the video on screen, if any. */
  startedRequest?: string | null;
  /** Start from these settings instead of the saved draft ("make another like this"). */
  prefill?: StudioDraft;
  /** Packs on sale; with `onTopUp`, a shortfall is answered with the pack that covers it. */
  packages?: readonly CreditPackageDto[];
  /** Buy `pack` without leaving the studio, then generate `request` (null: not ready yet). */
  onTopUp?: (pack: CreditPackageDto, request: GenerateVideoRequest | null) => void;
}

const FALLBACK_VALUE_PACKAGE = CREDIT_PACKAGES.find((p) => p.bestValue) ?? CREDIT_PACKAGES[0]!;

export function GenerateForm({
  balance,
  valuePackage,
  submitting,
  onGenerate,
  notice,
  startedRequest = null,
  prefill,
  packages,
  onTopUp,
}: GenerateFormProps) {
  const id = useId();
  const [draft, setDraft] = useState<StudioDraft>(
    () => prefill ?? loadDraft(STUDIO_DRAFT_KEY, StudioDraftSchema) ?? DEFAULT_DRAFT,
  );
  const [attempted, setAttempted] = useState(false);

  // Every keystroke is kept so a reload or a detour through the login page loses nothing.
  useEffect(() => saveDraft(STUDIO_DRAFT_KEY, draft), [draft]);

  const evaluated = useMemo(() => evaluateDraft(draft), [draft]);
  const blocker = generateBlocker(evaluated, balance);
  const generateBoxRef = useRef<HTMLDivElement>(null);
  const topUpPack =
    onTopUp && blocker?.kind === 'insufficient'
      ? packForShortfall(blocker.shortfall, packages)
      : undefined;
  // Everything else about the form is ready, so the purchase can be followed by the video.
  const readyButForCredits =
    blocker?.kind === 'insufficient' && evaluated.request !== null && !evaluated.errors.prompt;
  const update = <K extends keyof StudioDraft>(key: K, value: StudioDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (blocker || !evaluated.request || submitting) return;
    onGenerate(evaluated.request);
  };

  // An empty prompt is only an error once they try to submit; too long is shown while typing.
  const shownPromptError =
    attempted || draft.prompt.trim() !== '' ? evaluated.errors.prompt : undefined;
  const durationError = evaluated.errors.durationMinutes;
  const promptLength = draft.prompt.length;
  const reasonId = `${id}-reason`;
  const durationNumber = Number(draft.duration);
  const alreadyStarted =
    evaluated.request !== null && startedRequest === JSON.stringify(evaluated.request);
  const startedNoteId = `${id}-started`;

  return (
    <form className={styles.studioGrid} onSubmit={onSubmit} noValidate aria-label="Create a video">
      <section className={`card ${styles.studioForm}`} aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`} className="card-title">
          Describe your video
        </h2>
        <TextAreaField
          label="Prompt"
          rows={5}
          value={draft.prompt}
          onChange={(e) => update('prompt', e.target.value)}
          placeholder="A drone shot gliding over a misty pine forest at sunrise, cinematic lighting…"
          maxLength={PROMPT_MAX_CHARS}
          hint={`${promptLength} / ${PROMPT_MAX_CHARS}`}
          hintClassName={`field-counter${promptLength > PROMPT_MAX_CHARS ? ' text-danger' : ''}`}
          error={shownPromptError || undefined}
        />

        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-duration`} className="field-label">
              Duration (minutes)
            </label>
            <input
              id={`${id}-duration`}
              className={`input${durationError ? ' input-invalid' : ''}`}
              type="number"
              inputMode="decimal"
              min={MIN_DURATION_MINUTES}
              max={MAX_DURATION_MINUTES}
              step="any"
              value={draft.duration}
              onChange={(e) => update('duration', e.target.value)}
              aria-invalid={durationError ? true : undefined}
              aria-describedby={`${id}-duration-hint${durationError ? ` ${id}-duration-error` : ''}`}
            />
            <p id={`${id}-duration-hint`} className="field-hint">
              From {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} min. Billed per started minute.
            </p>
            {durationError ? (
              <p id={`${id}-duration-error`} className="field-error">
                {durationError}
              </p>
            ) : null}
          </div>

          <fieldset className={`field ${styles.fieldset}`}>
            <legend className="field-label">Resolution</legend>
            <div className={styles.segmented}>
              {RESOLUTIONS.map((res) => (
                <label key={res} className={styles.segmentedOption}>
                  <input
                    type="radio"
                    className={styles.tile}
                    name={`${id}-resolution`}
                    value={res}
                    checked={draft.resolution === res}
                    onChange={() => update('resolution', res)}
                  />
                  <span>
                    {res}
                    <small>{CREDITS_PER_MINUTE[res]} credits/min</small>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        </div>

        <fieldset className={`field ${styles.fieldset}`}>
          <legend className="field-label">Add-ons</legend>
          <div className={styles.addonList}>
            {ADD_ONS.map((key) => (
              <label key={key} className={styles.addon}>
                <input
                  type="checkbox"
                  checked={draft[key]}
                  onChange={(e) => update(key, e.target.checked)}
                />
                <span className={styles.addonText}>
                  <span className={styles.addonName}>{ADD_ON_LABELS[key]}</span>
                  <span className={styles.addonHint}>{ADD_ON_HINTS[key]}</span>
                </span>
                <span className={styles.addonPrice}>+{ADD_ON_CREDITS[key]}</span>
              </label>
            ))}
          </div>
        </fieldset>
      </section>

      <div className={styles.studioSide}>
        <CostCalculator
          cost={evaluated.cost}
          durationMinutes={durationNumber}
          resolution={draft.resolution}
          balance={balance?.creditBalance}
          valuePackage={valuePackage ?? FALLBACK_VALUE_PACKAGE}
        />
        <div className={styles.generateBox} ref={generateBoxRef}>
          <button
            type="submit"
            className="button button-large button-block"
            disabled={blocker !== null || submitting}
            aria-describedby={blocker ? reasonId : alreadyStarted ? startedNoteId : undefined}
          >
            {submitting
              ? 'Starting…'
              : evaluated.cost
                ? `${alreadyStarted ? 'Generate another copy' : 'Generate video'} · ${formatCredits(evaluated.cost.total)}`
                : 'Generate video'}
          </button>
          {alreadyStarted && !submitting ? (
            <p id={startedNoteId} className={styles.generateNote} data-testid="generate-started">
              This video is on its way below. Change the prompt or options for a new one.
            </p>
          ) : null}
          {blocker ? (
            <p
              id={reasonId}
              className={`${styles.generateReason}${blocker.kind === 'insufficient' || blocker.kind === 'owes' ? ` ${styles.generateReasonBlocking}` : ''}`}
              data-testid="generate-reason"
            >
              {blocker.message}
              {blocker.kind === 'insufficient' || blocker.kind === 'owes' ? (
                <>
                  {' '}
                  <Link to="/credits" className="text-link">
                    Buy credits
                  </Link>
                </>
              ) : null}
            </p>
          ) : null}
          {blocker?.kind === 'insufficient' && topUpPack && onTopUp ? (
            <TopUpOffer
              shortfall={blocker.shortfall}
              pack={topUpPack}
              canGenerate={readyButForCredits}
              onBuy={() => onTopUp(topUpPack, readyButForCredits ? evaluated.request : null)}
            />
          ) : null}
          {notice}
        </div>
      </div>
      <StickyGenerateBar
        target={generateBoxRef}
        cost={evaluated.cost?.total ?? null}
        balanceAfter={
          evaluated.cost && balance ? balance.creditBalance - evaluated.cost.total : null
        }
        disabled={blocker !== null}
        submitting={submitting}
        reason={
          blocker?.kind === 'insufficient'
            ? `${formatCredits(blocker.shortfall)} short`
            : blocker?.kind === 'owes'
              ? 'Account owes credits'
              : null
        }
      />
    </form>
  );
}
