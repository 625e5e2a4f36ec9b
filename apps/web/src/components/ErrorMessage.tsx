import { friendlyMessage } from '../api/errors';
import { Alert } from './Alert';

interface ErrorMessageProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}

export function ErrorMessage({ error, title, onRetry }: ErrorMessageProps) {
  return (
    <Alert
      tone="error"
      title={title}
      action={
        onRetry ? (
          <button type="button" className="button button-secondary button-small" onClick={onRetry}>
            Try again
          </button>
        ) : undefined
      }
    >
      {friendlyMessage(error)}
    </Alert>
  );
}
