import proxyaddr from 'proxy-addr';

/** Whether the hop at `addr`, `i` hops from us, is a proxy whose X-Forwarded-For we believe. */
export type TrustProxy = (addr: string, i: number) => boolean;

/**
 * TRUST_PROXY as Express reads `trust proxy`: unset or `false` trusts no proxy (the socket's
 * peer is the client), `true` every hop, a number that many hops, otherwise a comma-separated
 * list of addresses, CIDR ranges or the names `loopback`, `linklocal`, `uniquelocal`.
 */
export function compileTrustProxy(value: string | undefined): TrustProxy {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false') return () => false;
  if (v === 'true') return () => true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_addr, i) => i < hops;
  }
  return proxyaddr.compile(v.split(',').map((s) => s.trim()));
}
