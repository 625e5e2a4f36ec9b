import type { PackagesResponse } from '@app/shared';
import { presentPackage } from '../../presenters/package.ts';
import type { ServiceContext } from '../context.ts';

export async function listPackages(options: { ctx: ServiceContext }): Promise<PackagesResponse> {
  const packages = await options.ctx.store.listActivePackages();
  return { packages: packages.map(presentPackage) };
}
