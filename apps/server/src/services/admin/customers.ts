import type {
  AdminCustomerResponse,
  CustomerSearchResponse,
  VideoHistoryResponse,
  VideoStatus,
} from '@app/shared';
import { notFound } from '../../errors.ts';
import { presentPagination, toPage } from '../../presenters/pagination.ts';
import { presentVideo } from '../../presenters/video.ts';
import { presentApproval, presentCustomer, presentSession } from '../../presenters/admin.ts';
import type { ServiceContext } from '../context.ts';

const SEARCH_LIMIT = 20;
const SESSIONS_SHOWN = 50;
const APPROVALS_SHOWN = 20;

/** By exact id, exact email, or the first accounts whose email starts with the text. */
export async function searchCustomers(options: {
  ctx: ServiceContext;
  input: { q: string };
}): Promise<CustomerSearchResponse> {
  const users = await options.ctx.store.admin.searchUsers({
    query: options.input.q,
    limit: SEARCH_LIMIT,
  });
  return { customers: users.map(presentCustomer) };
}

/** The customer page: the account, its sessions and its four-eyes requests. */
export async function getCustomer(options: {
  ctx: ServiceContext;
  input: { customerId: string };
}): Promise<AdminCustomerResponse> {
  const { ctx } = options;
  const user = await ctx.store.findUserById({ id: options.input.customerId });
  if (!user) throw notFound('Customer');
  const [sessions, approvals] = await Promise.all([
    ctx.store.admin.listSessions({ userId: user.id, limit: SESSIONS_SHOWN }),
    ctx.store.admin.listApprovals({ targetUserId: user.id, limit: APPROVALS_SHOWN }),
  ]);
  const now = ctx.now().toISOString();
  return {
    customer: presentCustomer(user),
    sessions: sessions.map((s) => presentSession(s, now)),
    approvals: approvals.map(presentApproval),
  };
}

/** 404 for an id that names no account, so the reused per-user lists never answer for one. */
export async function requireCustomer(options: {
  ctx: ServiceContext;
  input: { customerId: string };
}): Promise<void> {
  if (!(await options.ctx.store.findUserById({ id: options.input.customerId }))) {
    throw notFound('Customer');
  }
}

/** The customer's videos as they see them, without file links: staff see the list only. */
export async function listCustomerVideos(options: {
  ctx: ServiceContext;
  input: { customerId: string; page: number; pageSize: number; status?: VideoStatus };
}): Promise<VideoHistoryResponse> {
  const { ctx, input: query } = options;
  await requireCustomer({ ctx, input: query });
  const { rows, total } = await ctx.store.listVideos({
    userId: query.customerId,
    filter: { status: query.status },
    page: toPage(query),
  });
  return { videos: rows.map((v) => presentVideo(v)), pagination: presentPagination(query, total) };
}
