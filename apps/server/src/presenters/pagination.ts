import type { Pagination } from '@app/shared';
import type { Page } from '../store/types.ts';

export const toPage = (q: { page: number; pageSize: number }): Page => ({
  limit: q.pageSize,
  offset: (q.page - 1) * q.pageSize,
});

export const presentPagination = (
  q: { page: number; pageSize: number },
  total: number,
): Pagination => ({
  page: q.page,
  pageSize: q.pageSize,
  total,
  totalPages: Math.ceil(total / q.pageSize),
});
