// panva's oidc-provider (npm), certified by the OpenID Foundation, run on loopback for the tests.
// Nobody on this project wrote it; this file only tells it who its clients and test accounts are.
// Every security setting is the library's default (PKCE, code flow, nonce, client_secret_basic,
// dev login and consent pages, RP-initiated logout); nothing is relaxed.
//
// Usage: node provider.mjs   with OIDC_PROVIDER_MODULE (path of the installed package's entry),
// OIDC_PORT, OIDC_CLIENTS (JSON list of client metadata) and OIDC_ACCOUNTS (JSON object:
// login -> claims; every account is synthetic). Prints "ready <issuer>" once it listens.
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);
const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS);
const cprClaim = process.env.OIDC_CPR_CLAIM || 'cpr';

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.OIDC_CLIENTS),
  // Scope -> the claims it releases. Standard claims as the specification has them; `cpr`
  // carries the CPR number (under the broker's attribute name) and whether it was verified;
  // `groups` carries the staff member's group memberships.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    cpr: [cprClaim, 'cpr_verified'],
    groups: ['groups'],
  },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return {
      accountId: id,
      async claims() { return { sub: id, ...claims }; },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
