/** One page of a user's list: offset paging, with the total for the pager. */
export interface Page {
  limit: number;
  offset: number;
}

export interface PageResult<T> {
  rows: T[];
  total: number;
}
