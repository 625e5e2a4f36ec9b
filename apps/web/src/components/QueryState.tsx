import type { ReactNode } from 'react';
import { ErrorMessage } from './ErrorMessage';
import { Spinner } from './Spinner';

/** The part of a TanStack Query result this needs (any `useQuery` result fits). */
interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

interface QueryStateProps<T> {
  query: QueryLike<T>;
  /** What is loading, for the spinner's label ("Loading videos…"). */
  pendingLabel?: string;
  errorTitle?: string;
  /** When the data holds nothing to show; `empty` is rendered instead of the children. */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/**
 * Pending, error (with a retry) and empty states, the same on every list and page. Data already
 * shown stays while a refetch fails in the background: only a first load shows the error.
 */
export function QueryState<T>({
  query,
  pendingLabel,
  errorTitle,
  isEmpty,
  empty,
  children,
}: QueryStateProps<T>) {
  const { data, error } = query;
  if (data === undefined) {
    if (error) {
      return <ErrorMessage error={error} title={errorTitle} onRetry={() => void query.refetch()} />;
    }
    return <Spinner label={pendingLabel} />;
  }
  if (isEmpty?.(data)) return <div className="empty">{empty}</div>;
  return <>{children(data)}</>;
}
