// A real OpenID Connect provider (the certified npm package oidc-provider) for the e2e
// tests, on 127.0.0.1 only. Its development login form accepts any login: "ann" signs in
// as account "ann"; "ann#2" is another account (sub "ann#2") with the same username
// "ann", as when a login name is given up and taken again.
//
// Settings come from the environment:
//   OIDC_PROVIDER_MODULE  path of oidc-provider's lib/index.js (installed by deploy/lib.sh)
//   OIDC_PORT             port to listen on (127.0.0.1)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI   the hub's registration
//   OIDC_GROUPS           JSON {"username": ["group", ...]}
import { pathToFileURL } from "node:url";

const env = process.env;
const { Provider } = await import(pathToFileURL(env.OIDC_PROVIDER_MODULE).href);
const port = Number(env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const groups = JSON.parse(env.OIDC_GROUPS || "{}");

function username(accountId) {
  return accountId.split("#")[0];
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID,
      client_secret: env.OIDC_CLIENT_SECRET,
      redirect_uris: [env.OIDC_REDIRECT_URI],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: {
    openid: ["sub"],
    profile: ["preferred_username", "name", "groups"],
    email: ["email", "email_verified"],
  },
  cookies: { keys: [env.OIDC_CLIENT_SECRET] },
  async findAccount(ctx, accountId) {
    const name = username(accountId);
    return {
      accountId,
      async claims() {
        return {
          sub: accountId,
          preferred_username: name,
          name,
          email: `${name}@example.org`,
          email_verified: true,
          groups: groups[name] || [],
        };
      },
    };
  },
});
provider.on("server_error", (ctx, err) => console.error("server_error", err));

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening at ${issuer}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
