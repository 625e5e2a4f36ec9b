import { useId } from 'react';
import type {
  InputHTMLAttributes,
  ReactElement,
  ReactNode,
  Ref,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from 'react';

interface FrameProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  /** On the wrapper, e.g. `field-inline`. */
  className?: string;
  /** Extra classes on the hint, e.g. a counter that turns red. */
  hintClassName?: string;
}

interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** Label, hint and error wired to one control for assistive technology, whatever the control. */
function FieldFrame({
  label,
  hint,
  error,
  className,
  hintClassName,
  describedBy,
  control,
}: FrameProps & { describedBy?: string; control: (props: ControlProps) => ReactElement }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {control({
        id,
        // Only what the frame knows: a control's own aria-invalid survives when there is no error.
        ...(error ? { 'aria-invalid': true as const } : {}),
        'aria-describedby': [describedBy, hintId, errorId].filter(Boolean).join(' ') || undefined,
      })}
      {hint ? (
        <p id={hintId} className={`field-hint${hintClassName ? ` ${hintClassName}` : ''}`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const controlClass = (error: string | undefined, extra?: string) =>
  `input${extra ? ` ${extra}` : ''}${error ? ' input-invalid' : ''}`;

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'>, FrameProps {
  ref?: Ref<HTMLInputElement>;
  inputClassName?: string;
}

export function Field({
  label,
  hint,
  error,
  className,
  inputClassName,
  ref,
  'aria-describedby': describedBy,
  ...input
}: FieldProps) {
  return (
    <FieldFrame
      {...{ label, hint, error, className, describedBy }}
      control={(wired) => (
        <input ref={ref} className={controlClass(error, inputClassName)} {...input} {...wired} />
      )}
    />
  );
}

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'>, FrameProps {
  ref?: Ref<HTMLSelectElement>;
}

export function SelectField({
  label,
  hint,
  error,
  className,
  ref,
  children,
  'aria-describedby': describedBy,
  ...select
}: SelectFieldProps) {
  return (
    <FieldFrame
      {...{ label, hint, error, className, describedBy }}
      control={(wired) => (
        <select ref={ref} className={controlClass(error)} {...select} {...wired}>
          {children}
        </select>
      )}
    />
  );
}

interface TextAreaFieldProps
  extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'>, FrameProps {
  ref?: Ref<HTMLTextAreaElement>;
}

export function TextAreaField({
  label,
  hint,
  error,
  className,
  hintClassName,
  ref,
  'aria-describedby': describedBy,
  ...textarea
}: TextAreaFieldProps) {
  return (
    <FieldFrame
      {...{ label, hint, error, className, hintClassName, describedBy }}
      control={(wired) => (
        <textarea ref={ref} className={controlClass(error, 'textarea')} {...textarea} {...wired} />
      )}
    />
  );
}
