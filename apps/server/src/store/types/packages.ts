export interface PackageRecord {
  id: number;
  name: string;
  credits: number;
  bonusCredits: number;
  priceCents: number;
  currency: string;
  bestValue: boolean;
  active: boolean;
}

export interface FindPackageInput {
  id: number;
}

/** The credit packages on sale (seeded by the adapters; read-only here). */
export interface PackagesStore {
  listActivePackages(): Promise<PackageRecord[]>;
  findPackage(input: FindPackageInput): Promise<PackageRecord | null>;
}
