// A real OpenID provider on loopback for gaibu's SSO test (npm oidc-provider): two confidential
// clients ("gaibu" and "other") whose redirect URI is gaibu's callback (REDIRECT_URI), the
// development login form (any login, any password), consent granted without asking. Prints
// "issuer <url>" once it listens.
//
// A test can make the next token responses misbehave, as a broken or hostile provider would:
//   POST /__test/mode  mode=badsig    the ID token's signature is damaged
//                      mode=otheraud  the ID token is issued to the client "other"
//                      mode=short     ID tokens live 60 s
//                      mode=none      as issued
import http from "node:http";
import Provider from "oidc-provider";

const redirect = process.env.REDIRECT_URI;
let mode = "none";

const server = http.createServer();
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const client = (id) => ({
    client_id: id,
    client_secret: `${id}-secret`,
    redirect_uris: [redirect],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  });
  const provider = new Provider(issuer, {
    clients: [client("gaibu"), client("other")],
    pkce: { required: () => true },
    cookies: { keys: ["gaibu-test-cookie-key"] },
    findAccount: async (ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, preferred_username: sub }),
    }),
    claims: { openid: ["sub"], profile: ["preferred_username"] },
    conformIdTokenClaims: false,
    ttl: { IdToken: () => (mode === "short" ? 60 : 3600) },
    // Consent is the city's business, not the test's: grant what gaibu asks.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid profile");
      grant.addOIDCClaims(["preferred_username"]);
      await grant.save();
      return grant;
    },
  });
  provider.proxy = false;

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== "/token" || ctx.status !== 200 || !ctx.body?.id_token) return;
    const [h, p, s] = ctx.body.id_token.split(".");
    if (mode === "badsig") {
      const sig = Buffer.from(s, "base64url");
      sig[0] ^= 0xff;
      ctx.body.id_token = `${h}.${p}.${sig.toString("base64url")}`;
    } else if (mode === "otheraud") {
      const claims = JSON.parse(Buffer.from(p, "base64url").toString());
      const other = await ctx.oidc.provider.Client.find("other");
      const token = new ctx.oidc.provider.IdToken(
        { sub: claims.sub, nonce: claims.nonce, preferred_username: claims.preferred_username },
        { ctx, client: other },
      );
      token.scope = "openid";
      ctx.body.id_token = await token.issue({ use: "idtoken" });
    }
  });

  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (req.method === "POST" && req.url === "/__test/mode") {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        mode = new URLSearchParams(body).get("mode") || "none";
        res.end(mode);
      });
      return;
    }
    callback(req, res);
  });
  console.log(`issuer ${issuer}`);
});
