// @azure/identity and the Microsoft Graph JavaScript client with their default authority
// (login.microsoftonline.com) and base URL (graph.microsoft.com), through graphmeet's proxy
// mode: only HTTPS_PROXY and NODE_EXTRA_CA_CERTS are set.
//
// @azure/identity (core-rest-pipeline) reads HTTPS_PROXY itself. Node 20's built-in fetch,
// which the Graph client uses, does not: the one line a Node application adds for any proxy
// is undici's EnvHttpProxyAgent as the global dispatcher, which reads the same variables.
//
// Usage: node through_proxy.mjs DEV_CREDENTIALS_JSON; prints one JSON object.
import { readFileSync } from "node:fs";
import { ClientSecretCredential } from "@azure/identity";
import { Client } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { EnvHttpProxyAgent, setGlobalDispatcher } from "undici";

setGlobalDispatcher(new EnvHttpProxyAgent());

const creds = JSON.parse(readFileSync(process.argv[2], "utf8"));
const credential = new ClientSecretCredential(creds.tenant_id, creds.client_id, creds.client_secret);
const scopes = ["https://graph.microsoft.com/.default"];

const token = await credential.getToken(scopes);
const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());

const client = Client.initWithMiddleware({
  authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes }),
});
const meetings = `/users/${creds.user_id}/onlineMeetings`;
const created = await client.api(meetings).post({ subject: "Node through the proxy" });
const found = await client
  .api(meetings)
  .filter(`JoinWebUrl eq '${created.joinWebUrl}'`)
  .get();
await client.api(`${meetings}/${created.id}`).delete();
let afterDelete;
try {
  await client.api(`${meetings}/${created.id}`).get();
  afterDelete = 200;
} catch (e) {
  afterDelete = e.statusCode;
}

console.log(
  JSON.stringify({
    identity: { issuer: claims.iss, audience: claims.aud, expires: token.expiresOnTimestamp > Date.now() },
    graph: {
      created: created.id,
      subject: created.subject,
      joinWebUrl: created.joinWebUrl,
      found: found.value.map((m) => m.id),
      afterDelete,
    },
  }),
);
