import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ErrorMessage } from '../components/ErrorMessage';
import { Spinner } from '../components/Spinner';
import { formatNumber } from '../lib/money';
import { adminKeys, searchCustomers, FRESH } from './api';
import styles from './admin.module.css';
import { UserText } from '../components/UserText';
import { TableScroll } from './TableScroll';

/** Find a customer by email (or its beginning) or by account id. */
export function CustomersPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const query = useQuery({
    queryKey: [...adminKeys.all, 'search', q],
    ...FRESH,
    queryFn: () => searchCustomers(q),
    enabled: q !== '',
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  }

  return (
    <section aria-labelledby="customers-title">
      <h2 id="customers-title" className="card-title">
        Find a customer
      </h2>
      <form className={styles.filters} onSubmit={submit} role="search">
        <label className="field">
          <span className="field-label">Email or account id</span>
          <input
            className="input"
            name="q"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            autoFocus
          />
        </label>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {q === '' ? null : query.isPending ? (
        <Spinner />
      ) : query.isError ? (
        <ErrorMessage error={query.error} />
      ) : query.data.customers.length === 0 ? (
        <p className="muted">No account matches “{q}”.</p>
      ) : (
        <TableScroll label="Customers">
          <table className="table">
            <thead>
              <tr>
                <th>Email</th>
                <th>Name</th>
                <th className="num">Balance</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {query.data.customers.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/admin/customers/${encodeURIComponent(c.id)}`}>{c.email}</Link>
                  </td>
                  <td>
                    <UserText>{c.name}</UserText>
                  </td>
                  <td className="num">{formatNumber(c.creditBalance)}</td>
                  <td>{c.deletedAt ? 'deleted' : c.disabledAt ? 'disabled' : c.role}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
