import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | null;
}

interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/**
 * The label, hint and error every form control shares; `control` renders the input itself with
 * the id and ARIA attributes that tie it to them.
 */
function Field({ label, hint, error, id, className, control }: FieldProps & { id?: string; className?: string; control: (props: ControlProps) => ReactNode }) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={inputId}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {control({ id: inputId, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A text input with a visible <label>, optional hint and an error tied by aria-describedby. */
export function TextField({ label, hint, error, id, className, ...rest }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  return <Field label={label} hint={hint} error={error} id={id} className={className} control={(aria) => <input {...aria} {...rest} />} />;
}

export function TextArea({ label, hint, error, id, ...rest }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <Field label={label} hint={hint} error={error} id={id} control={(aria) => <textarea {...aria} {...rest} />} />;
}

export function SelectField({ label, hint, error, id, children, ...rest }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <Field
      label={label}
      hint={hint}
      error={error}
      id={id}
      control={(aria) => (
        <select {...aria} {...rest}>
          {children}
        </select>
      )}
    />
  );
}

export function Checkbox({ label, hint, id, ...rest }: { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const auto = useId();
  const inputId = id ?? auto;
  return (
    <div className="checkbox">
      <input type="checkbox" id={inputId} aria-describedby={hint ? `${inputId}-hint` : undefined} {...rest} />
      <div>
        <label htmlFor={inputId}>{label}</label>
        {hint ? (
          <p className="field-hint" id={`${inputId}-hint`}>
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
